//! Forwards are not replies: the forwarded message is the content the sender wants us to
//! see, so it is kept whole, with its header block, below the forwarder's note.
//!
//! Markers: Gmail's and Thunderbird's dashed "Forwarded message" line, Apple Mail's "Begin
//! forwarded message:", each in the languages we support, and an Outlook header block whose
//! subject carries a forward prefix (decided in `outlook`, with the message's own subject).

use std::sync::LazyLock;

use regex::Regex;

use super::pattern;

/// Names clients give a forwarded message, as they appear between dashes.
const FORWARD_NAMES: &str = concat!(
    r"forwarded\s+message|weitergeleitete\s+nachricht|message\s+transféré|mensaje\s+reenviado|",
    r"messaggio\s+inoltrato|mensagem\s+encaminhada|mensagem\s+reencaminhada|doorgestuurd\s+bericht|",
    r"wiadomość\s+przekazana\s+dalej|przekazana\s+wiadomość|vidarebefordrat\s+meddelande|",
    r"videresendt\s+meddelelse|videresendt\s+melding|välitetty\s+viesti|přeposlaná\s+zpráva|",
    r"пересылаемое\s+сообщение|пересланное\s+сообщение|пересланий\s+лист|",
    r"переслане\s+повідомлення|[iİ]letilen\s+mesaj|[iİ]letilen\s+ileti|転送されたメッセージ|",
    r"转发的邮件|轉寄的郵件|전달된\s+메시지|tin\s+nhắn\s+đã\s+chuyển\s+tiếp",
);

/// "---------- Forwarded message ---------" (Gmail) and "-------- Forwarded Message --------"
/// (Thunderbird), in every language above.
static DASHED: LazyLock<Regex> = LazyLock::new(|| {
    pattern(&format!(
        r"(?i)^\s*-{{2,}}\s*(?:{FORWARD_NAMES})\s*-{{2,}}\s*$"
    ))
});

/// Apple Mail's "Begin forwarded message:" and its translations.
static APPLE: LazyLock<Regex> = LazyLock::new(|| {
    pattern(concat!(
        r"(?i)^\s*(?:begin\s+forwarded\s+message|forwarded\s+message|anfang\s+der\s+weitergeleiteten\s+(?:nachricht|e-mail)|",
        r"début\s+du\s+message\s+(?:réexpédié|transféré)|inicio\s+del\s+mensaje\s+reenviado|",
        r"inizio\s+messaggio\s+inoltrato|início\s+da\s+mensagem\s+reencaminhada|",
        r"begin\s+doorgestuurd\s+bericht|początek\s+przekazywanej\s+wiadomości|",
        r"vidarebefordrat\s+brev|videresendt\s+besked|videresendt\s+melding|välitetty\s+viesti\s+alkaa|",
        r"začátek\s+přeposlané\s+zprávy|начало\s+переадресованного\s+сообщения|",
        r"початок\s+пересланого\s+повідомлення|[iİ]letilen\s+ileti\s+başlangıcı|",
        r"転送されたメッセージ|以下是转发的邮件|转发的邮件|轉寄的郵件|전달된\s+메시지)\s*[:：]\s*$",
    ))
});

/// Reply prefixes on the message's own subject: when present, a quoted header whose subject
/// reads "FW:" is the history of a reply, not a forward.
static REPLY_SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"(?i)^\s*(?:re|aw|sv|antw|r|rif|odp|ynt|res|回复|回覆|答复|返信|회신|відп|ответ)\s*[:：]",
    )
});

/// True when a `>` quoted line opens a forwarded message: a reply can quote a forward, and
/// what it quotes is then the forwarded content, kept whole like any forward.
pub(super) fn is_quoted_marker(line: &str) -> bool {
    let unquoted = line.trim_start().trim_start_matches(['>', ' ', '\t']);
    unquoted.len() < line.len() && is_marker(unquoted)
}

/// True when line `line` opens a forwarded message.
pub(super) fn is_marker(line: &str) -> bool {
    let t = line.trim();
    if t.len() > 200 {
        return false;
    }
    (t.starts_with('-') && DASHED.is_match(t)) || (t.ends_with([':', '：']) && APPLE.is_match(t))
}

/// True when the message's own subject says it is a reply.
pub(super) fn subject_is_reply(subject: Option<&str>) -> bool {
    subject.is_some_and(|s| REPLY_SUBJECT.is_match(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dashed_markers_in_each_language_are_forwards() {
        for line in [
            "---------- Forwarded message ---------",
            "-------- Forwarded Message --------",
            "---------- Weitergeleitete Nachricht ----------",
            "-------- Message transféré --------",
            "---------- Mensaje reenviado ----------",
            "---------- Messaggio inoltrato ----------",
            "---------- Mensagem encaminhada ----------",
            "---------- Doorgestuurd bericht ----------",
            "---------- Wiadomość przekazana dalej ----------",
            "---------- Vidarebefordrat meddelande ----------",
            "---------- Videresendt meddelelse ----------",
            "---------- Videresendt melding ----------",
            "---------- Välitetty viesti ----------",
            "---------- Přeposlaná zpráva ----------",
            "---------- Пересылаемое сообщение ----------",
            "---------- Пересланий лист ----------",
            "---------- İletilen mesaj ----------",
            "---------- 転送されたメッセージ ----------",
            "---------- 转发的邮件 ----------",
            "---------- 전달된 메시지 ----------",
        ] {
            assert!(is_marker(line), "{line}");
        }
    }

    #[test]
    fn apple_mail_markers_are_forwards() {
        for line in [
            "Begin forwarded message:",
            "Anfang der weitergeleiteten Nachricht:",
            "Début du message réexpédié :",
            "Inicio del mensaje reenviado:",
            "Forwarded message:",
        ] {
            assert!(is_marker(line), "{line}");
        }
    }

    #[test]
    fn a_quoted_marker_is_a_forward() {
        assert!(is_quoted_marker("> Begin forwarded message:"));
        assert!(is_quoted_marker(
            ">> ---------- Forwarded message ---------"
        ));
        assert!(!is_quoted_marker("Begin forwarded message:"));
        assert!(!is_quoted_marker("> I forwarded message 3"));
    }

    #[test]
    fn prose_about_forwarding_is_not_a_marker() {
        assert!(!is_marker("I forwarded message 3 to the team"));
        assert!(!is_marker("Forwarded message below"));
    }

    #[test]
    fn reply_subjects_are_recognised() {
        assert!(subject_is_reply(Some("Re: invoice")));
        assert!(subject_is_reply(Some("AW: Rechnung")));
        assert!(!subject_is_reply(Some("Fwd: invoice")));
        assert!(!subject_is_reply(None));
    }
}
