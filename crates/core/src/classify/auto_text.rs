//! Vacation, out-of-office and acknowledgement wording, in the languages reply extraction
//! knows (English, German, French, Spanish, Portuguese, Italian, Dutch, Polish, the
//! Scandinavian languages, Finnish, Czech, Russian, Ukrainian, Turkish, Vietnamese,
//! Japanese, Chinese, Korean).
//!
//! Subjects are matched at their start, where responders put their prefix ("Automatic
//! reply: <your subject>"). Bodies are matched only at their very start (after a greeting
//! and a thank-you sentence) and only with phrases a person rarely opens a message with,
//! so customers writing about an absence in the middle of a mail are not taken for robots.

use std::sync::LazyLock;

use regex::Regex;

static SUBJECT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^\s*(?:\[[^\]]*\]\s*)?(?:
            auto(?:matic|mated)?[\ -]?(?:reply|response|answer|respond)|autoreply|autoresponse
          | out\ of\ (?:the\ )?office|ooo\b|on\ (?:vacation|holiday|leave)|away\ from\ (?:the\ )?office|vacation\ (?:reply|notice|message)
          | (?:request|ticket)\ (?:received|receipt|\#?\d+\ (?:received|created))|we(?:'ve|\ have)\ received\ your
          | thank\ you\ for\ (?:contacting|your\ (?:e-?mail|message|request))\ ?[-:]
          | abwesenheit|automatische\ antwort|nicht\ im\ büro|außer\ haus
          | réponse\ automatique|absence\ du\ bureau|absent(?:e)?\ du\ bureau|message\ d'absence
          | respuesta\ automática|fuera\ de\ la\ oficina|ausencia
          | resposta\ automática|fora\ do\ escritório|ausente
          | risposta\ automatica|fuori\ (?:sede|ufficio)|assente
          | automatisch\ antwoord|afwezig|niet\ aanwezig|buiten\ kantoor
          | odpowiedź\ automatyczna|automatyczna\ odpowiedź|poza\ biurem|nieobecn
          | automatiskt\ svar|automatisk\ svar|autosvar|frånvaro|fraværende|ikke\ på\ kontoret|fravær
          | automaattinen\ vastaus|poissa\ toimistolta|lomalla
          | automatická\ odpověď|mimo\ kancelář
          | автоматический\ ответ|автоответ|вне\ офиса|в\ отпуске|автоматична\ відповідь
          | otomatik\ (?:yanıt|cevap)|ofis\ dışında
          | trả\ lời\ tự\ động|vắng\ mặt
          | 自動応答|自動返信|不在|自动回复|自動回覆|自動回复|休假|자동\ 응답|부재
        )
        # the prefix stands alone or introduces the original subject: at most one more
        # word (Out of Office AutoReply:) after the end of the prefix word, then a separator or the end
        [a-zäöüß]*(?:\s+[^\s:：]+)?\s*(?:[:：\-–(\[]|$)",
    )
    .ok()
});

static BODY: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^\s*
          # an optional thank-you sentence first, then the responder's statement
          (?:(?:thank\ you|thanks|many\ thanks|vielen\ dank|danke|merci|gracias|obrigad[oa]|grazie|bedankt|dziękuję|tack|kiitos|děkuji|спасибо|teşekkürler)
             \b[^.!\n]{0,60}[.!]\s*)?
          (?:
            this\ is\ an\ auto(?:mat(?:ic|ed))?[\ -]?(?:reply|response|message|generated|ed\ response)
          | (?:i\ am|i'm|i\ will\ be)\ (?:currently\ )?(?:out\ of\ (?:the\ )?office|away\ from\ (?:the\ )?office|on\ (?:annual\ |parental\ |maternity\ |sick\ )?(?:leave|vacation|holiday))
          | (?:i\ am|i'm)\ (?:currently\ )?away\ (?:until|from|on|and)
          | (?:we|i)\ (?:have|'ve)\ received\ your\ (?:request|message|e-?mail|ticket)
          | your\ (?:request|ticket)\ (?:\(\#?\d+\)|\#?\d+)?\ ?has\ been\ (?:received|created|logged)
          | please\ do\ not\ reply\ to\ this\ (?:automat|e-?mail|message)
          | ich\ bin\ (?:derzeit|zurzeit|momentan|bis|vom|ab|leider)\b.{0,60}\b(?:abwesend|nicht\ im\ büro|im\ urlaub|außer\ haus|nicht\ erreichbar)
          | je\ suis\ (?:actuellement\ )?(?:absente?|en\ congés?|en\ vacances|hors\ du\ bureau)
          | (?:estoy|me\ encuentro)\ (?:actualmente\ )?(?:fuera\ de\ la\ oficina|de\ vacaciones|ausente)
          | (?:estou|encontro-me)\ (?:atualmente\ )?(?:fora\ do\ escritório|de\ férias|ausente)
          | (?:sono|sarò)\ (?:attualmente\ )?(?:fuori\ (?:sede|ufficio)|in\ ferie|assente)
          | ik\ ben\ (?:momenteel\ |tot\ en\ met\ .{1,30}\ )?(?:afwezig|op\ vakantie|niet\ aanwezig)
          | (?:jestem|będę)\ (?:obecnie\ )?(?:poza\ biurem|na\ urlopie|nieobecn)
          | jag\ är\ (?:på\ semester|ledig|borta|inte\ på\ kontoret)|jeg\ er\ (?:på\ ferie|fraværende|ikke\ på\ kontoret|bortrejst)
          | olen\ (?:lomalla|poissa)|jsem\ (?:na\ dovolené|mimo\ kancelář)
          | я\ (?:сейчас\ |в\ настоящее\ время\ )?(?:в\ отпуске|нахожусь\ в\ отпуске|вне\ офиса)|я\ у\ відпустці
          | (?:şu\ anda\ )?(?:izindeyim|ofis\ dışındayım)|tôi\ đang\ (?:nghỉ|vắng)
          | 不在にしております|休暇中|我(?:正在|目前)?休假|휴가\ 중
          )",
    )
    .ok()
});

/// How much of the body start is searched: an auto-reply says what it is at once.
const BODY_HEAD: usize = 400;

/// True when the subject starts like an automatic answer.
pub(super) fn subject(subject: &str) -> bool {
    SUBJECT.as_ref().is_some_and(|r| r.is_match(subject))
}

/// True when the body opens (after at most a greeting line) with an automatic answer's
/// statement; the same words later in a mail are a person talking about an absence.
pub(super) fn body(body: &str) -> bool {
    let start = skip_greeting(body.trim_start());
    let mut end = start.len().min(BODY_HEAD);
    while !start.is_char_boundary(end) {
        end -= 1;
    }
    BODY.as_ref().is_some_and(|r| r.is_match(&start[..end]))
}

/// Drops a short first line that ends like a salutation (`Hello,`, `Dear customer,`).
fn skip_greeting(text: &str) -> &str {
    match text.split_once('\n') {
        Some((first, rest))
            if first.trim().chars().count() <= 40
                && first.trim_end().ends_with([',', '!', ':']) =>
        {
            rest.trim_start()
        }
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responder_subjects_in_several_languages() {
        for s in [
            "Automatic reply: Invoice 42",
            "Out of Office: question",
            "Abwesenheitsnotiz: Ihre Anfrage",
            "Réponse automatique : facture",
            "Respuesta automática: pedido",
            "Automatisch antwoord: vraag",
            "Автоматический ответ: счёт",
            "自動応答: お問い合わせ",
            "[Support] Request received: printer broken",
            "Out of Office AutoReply: invoice",
            "Automatic reply",
        ] {
            assert!(subject(s), "{s}");
        }
    }

    #[test]
    fn ordinary_subjects_are_not_responders() {
        for s in [
            "Re: automatic reply settings broken?",
            "Meeting",
            "",
            "Fwd: Out of office",
            "Out of office not working",
            "On vacation until Monday, can you cover?",
            "不在票について",
        ] {
            assert!(!subject(s), "{s}");
        }
    }

    #[test]
    fn body_phrases_count_only_near_the_start() {
        assert!(body(
            "Hello,\n\nI am currently out of the office until 3 May."
        ));
        assert!(body("Je suis actuellement absent jusqu'au lundi."));
        let late = format!("{}\nI am out of the office.", "Long text. ".repeat(60));
        assert!(!body(&late));
        assert!(!body(
            "Can you check why my colleague's out-of-office did not fire?"
        ));
        assert!(!body(""));
        assert!(!body(
            "Hello, I set an automatic reply.\nI am out of the office from tomorrow."
        ));
        assert!(body(
            "Dear customer,\n\nWe have received your request (#12)."
        ));
        assert!(body(
            "Thank you for your email. I'm currently on annual leave."
        ));
    }
}
