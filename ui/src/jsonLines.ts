/**
 * Where in a JSON file a value is: the 1-based line at which the value of a path such as
 * `templates[3].body` begins. The API names a problem of an import by such a path; the
 * import page shows it at that line of the file the person chose. A small reader of its
 * own, because `JSON.parse` keeps no positions.
 */

/** `templates[3].body` → `['templates', 3, 'body']`. */
export function pathOf(field: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (part[2] !== undefined) out.push(Number(part[2]));
    else if (part[1] !== undefined) out.push(part[1]);
  }
  return out;
}

/**
 * The line where the value at `path` begins (for an object member: the line of its key),
 * or the line of the deepest part of the path that exists; null when `text` is not JSON
 * far enough to tell.
 */
export function lineOf(text: string, path: (string | number)[]): number | null {
  let at = 0;
  let line = 1;
  let found: number | null = path.length === 0 ? 1 : null;

  const skip = () => {
    while (at < text.length && /\s/.test(text.charAt(at))) {
      if (text.charAt(at) === '\n') line += 1;
      at += 1;
    }
  };
  const string = (): string => {
    let out = '';
    at += 1;
    while (at < text.length && text.charAt(at) !== '"') {
      if (text.charAt(at) === '\\') {
        out += text.charAt(at + 1);
        at += 2;
      } else {
        out += text.charAt(at);
        at += 1;
      }
    }
    at += 1;
    return out;
  };
  /** Reads one value; `depth` parts of the path matched so far (-1: off the path). */
  const value = (depth: number): boolean => {
    skip();
    const c = text.charAt(at);
    if (c === '{') {
      at += 1;
      for (;;) {
        skip();
        if (text.charAt(at) === '}') {
          at += 1;
          return true;
        }
        if (text.charAt(at) !== '"') return false;
        const keyLine = line;
        const key = string();
        const onPath = depth >= 0 && path[depth] === key;
        if (onPath) found = keyLine;
        skip();
        if (text.charAt(at) !== ':') return false;
        at += 1;
        if (!value(onPath ? depth + 1 : -1)) return false;
        skip();
        if (text.charAt(at) === ',') at += 1;
      }
    }
    if (c === '[') {
      at += 1;
      for (let i = 0; ; i += 1) {
        skip();
        if (text.charAt(at) === ']') {
          at += 1;
          return true;
        }
        const onPath = depth >= 0 && path[depth] === i;
        if (onPath) found = line;
        if (!value(onPath ? depth + 1 : -1)) return false;
        skip();
        if (text.charAt(at) === ',') at += 1;
      }
    }
    if (c === '"') {
      string();
      return true;
    }
    const literal = /^(true|false|null|-?\d+(\.\d+)?([eE][+-]?\d+)?)/.exec(text.slice(at, at + 64));
    if (!literal) return false;
    at += literal[0].length;
    return true;
  };
  value(0);
  return found;
}
