//! The predict page's state and timing rules, as plain Rust: what is typed,
//! whether typing has paused, when the full model is asked, and which of its
//! answers is current. The view keeps one [`PredictState`] in a signal, starts
//! the timers and the requests it asks for, and draws it; the rules themselves
//! need no browser, so they are tested natively here.

use std::time::Duration;

use vinovoyant_model::validate_description;

use super::reading::DistilledGuess;
use crate::api::{InputProblem, PredictFailure, ServerAnswer, Submission};

/// Below this probability of its top country the quick guess counts as unsure,
/// and a pause in typing asks the full model by itself.
pub const UNSURE_BELOW: f32 = 0.6;

/// How long typing must pause before an unsure quick guess is checked by the full model.
pub const PAUSE_BEFORE_ASKING: Duration = Duration::from_millis(600);

/// How long typing must pause before the word being typed counts as finished, so
/// the quick guess reads it too (until then it reads up to the last finished word).
pub const PAUSE_ENDS_WORD: Duration = Duration::from_millis(600);

/// What the full model answered, or why it did not.
pub type Outcome = Result<ServerAnswer, PredictFailure>;

/// One keystroke, named so that the pause timer it starts can tell whether a
/// later keystroke came since (then that pause is over before it ends).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keystroke(u64);

/// A request to the full model the view should send, with its number: only the
/// answer to the newest request is shown ([`PredictState::answered`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ask {
    /// Which request this is.
    pub ticket: u64,
    /// The note to send.
    pub note: String,
}

/// Everything the predict page shows that is not derived from something else.
#[derive(Debug, Clone, PartialEq)]
pub struct PredictState {
    /// The note as it stands.
    pub text: String,
    /// False while a word may be half typed; a pause in typing sets it.
    pub settled: bool,
    /// Why the note was refused, shown under the form.
    pub notice: Option<InputProblem>,
    /// The full model's latest answer (or failure), kept while a newer one is on its way.
    pub outcome: Option<Outcome>,
    /// Whether an answer to the newest request is still awaited.
    pub pending: bool,
    /// The last note sent to the full model, so a pause never asks twice for it.
    asked: Option<String>,
    /// The number of the newest request.
    latest_ask: u64,
    /// The number of the newest keystroke.
    latest_keystroke: u64,
}

impl PredictState {
    /// The state the page starts in: empty, or around a note that was submitted
    /// without JavaScript (or shared by link) and the full model's answer to it.
    pub fn new(submission: Option<Submission>) -> Self {
        let (text, outcome) = match submission {
            Some(submission) => (submission.description, Some(submission.outcome)),
            None => (String::new(), None),
        };
        let notice = match &outcome {
            Some(Err(PredictFailure::Input(problem))) => Some(problem.clone()),
            _ => None,
        };
        Self {
            asked: (!text.is_empty()).then(|| text.clone()),
            text,
            settled: true,
            notice,
            outcome,
            pending: false,
            latest_ask: 0,
            latest_keystroke: 0,
        }
    }

    /// The note was edited: the last word may be half typed and any notice is
    /// stale. Returns the keystroke, for [`Self::word_pause`] after [`PAUSE_ENDS_WORD`].
    pub fn typed(&mut self, text: String) -> Keystroke {
        self.text = text;
        self.settled = false;
        self.notice = None;
        self.latest_keystroke += 1;
        Keystroke(self.latest_keystroke)
    }

    /// The pause after `keystroke` ended: if nothing was typed since, the last word
    /// counts as finished.
    pub fn word_pause(&mut self, keystroke: Keystroke) {
        if keystroke.0 == self.latest_keystroke {
            self.settled = true;
        }
    }

    /// An example replaced the note: it is whole, so it is read at once.
    pub fn example(&mut self, text: &str) {
        self.text = text.to_string();
        self.settled = true;
        self.notice = None;
        self.latest_keystroke += 1;
    }

    /// The person asked for the full model's answer: the request to send, or
    /// `None` when the note is refused as it stands (the notice then says why).
    pub fn ask(&mut self) -> Option<Ask> {
        if let Err(problem) = validate_description(&self.text) {
            self.notice = Some(InputProblem::from(&problem));
            return None;
        }
        self.notice = None;
        self.asked = Some(self.text.clone());
        self.pending = true;
        self.latest_ask += 1;
        Some(Ask {
            ticket: self.latest_ask,
            note: self.text.clone(),
        })
    }

    /// The newest keystroke: a pause that starts now ends with it, unless another
    /// one comes.
    pub fn keystroke(&self) -> Keystroke {
        Keystroke(self.latest_keystroke)
    }

    /// The pause since `since` after an unsure quick guess about `note` ended
    /// ([`PAUSE_BEFORE_ASKING`]): the request to send, if nothing was typed since,
    /// the note is still `note` and it was not asked about yet.
    pub fn pause_ended(&mut self, note: &str, since: Keystroke) -> Option<Ask> {
        let unchanged = since.0 == self.latest_keystroke && self.text == note;
        let asked = self.asked.as_deref() == Some(note);
        if unchanged && !asked {
            self.ask()
        } else {
            None
        }
    }

    /// The full model answered request `ticket`. Only the newest request's answer
    /// is taken: an older one arriving late never replaces a newer note's answer.
    /// Returns whether it was taken.
    pub fn answered(&mut self, ticket: u64, outcome: Outcome) -> bool {
        if ticket != self.latest_ask {
            return false;
        }
        if let Err(PredictFailure::Input(problem)) = &outcome {
            self.notice = Some(problem.clone());
        }
        self.outcome = Some(outcome);
        self.pending = false;
        true
    }

    /// The full model's answer, when the latest outcome is one.
    pub fn answer(&self) -> Option<&ServerAnswer> {
        self.outcome
            .as_ref()
            .and_then(|outcome| outcome.as_ref().ok())
    }
}

/// The note a quick guess should have checked by the full model after a pause:
/// the guess's text, when its top country is under [`UNSURE_BELOW`].
pub fn unsure_note(guess: &DistilledGuess) -> Option<String> {
    let confidence = guess.countries.first().map_or(0.0, |top| top.probability);
    (confidence < UNSURE_BELOW).then(|| guess.text.clone())
}

#[cfg(test)]
mod tests {
    use vinovoyant_model::LabelScore;

    use super::*;

    const NOTE: &str = "Ripe cassis and cedar from Napa Valley";

    fn answer(description: &str, country: &str) -> Outcome {
        Ok(ServerAnswer {
            description: description.to_string(),
            model_version: "test".to_string(),
            countries: vec![LabelScore {
                label: country.to_string(),
                probability: 0.8,
            }],
            provinces: Vec::new(),
            varieties: Vec::new(),
            similar: Default::default(),
            explanation: Vec::new(),
        })
    }

    #[test]
    fn only_the_last_keystroke_s_pause_settles_the_word() {
        let mut state = PredictState::new(None);
        let first = state.typed("Ripe cas".to_string());
        let second = state.typed("Ripe cass".to_string());
        assert!(!state.settled);
        state.word_pause(first);
        assert!(!state.settled, "a later keystroke restarted the pause");
        state.word_pause(second);
        assert!(state.settled);
        state.example(NOTE);
        state.word_pause(second);
        assert!(state.settled && state.text == NOTE);
    }

    #[test]
    fn a_late_answer_to_an_older_note_is_dropped() {
        let mut state = PredictState::new(None);
        state.typed("Tart cherry and leather, Chianti".to_string());
        let older = state.ask().expect("a valid note");
        state.typed(NOTE.to_string());
        let newer = state.ask().expect("a valid note");
        assert!(state.pending);
        assert!(state.answered(newer.ticket, answer(NOTE, "US")));
        assert!(!state.pending);
        assert!(!state.answered(older.ticket, answer(&older.note, "Italy")));
        assert_eq!(
            state.answer().map(|a| a.description.as_str()),
            Some(NOTE),
            "the newer note's answer stays"
        );
    }

    #[test]
    fn an_answer_in_flight_keeps_the_previous_one_shown() {
        let mut state = PredictState::new(None);
        state.typed(NOTE.to_string());
        let first = state.ask().expect("valid");
        state.answered(first.ticket, answer(NOTE, "US"));
        state.typed(format!("{NOTE}, with oak"));
        let second = state.ask().expect("valid");
        assert!(state.pending && state.answer().is_some());
        assert!(state.answered(second.ticket, Err(PredictFailure::Busy)));
        assert_eq!(state.outcome, Some(Err(PredictFailure::Busy)));
    }

    #[test]
    fn a_refused_note_is_not_sent_and_says_why() {
        let mut state = PredictState::new(None);
        state.typed("   ".to_string());
        assert_eq!(state.ask(), None);
        assert_eq!(state.notice, Some(InputProblem::Empty));
        assert!(!state.pending);
        state.typed("x".to_string());
        assert_eq!(state.notice, None, "typing clears the notice");
    }

    #[test]
    fn a_pause_asks_once_and_only_for_the_note_still_typed() {
        let mut state = PredictState::new(None);
        state.typed(NOTE.to_string());
        let since = state.keystroke();
        assert_eq!(
            state.pause_ended("Ripe cassis", since),
            None,
            "another note"
        );
        state.typed("Ripe".to_string());
        let typed_again = state.typed(NOTE.to_string());
        assert_eq!(state.pause_ended(NOTE, since), None, "typing went on since");
        let ask = state
            .pause_ended(NOTE, typed_again)
            .expect("asked after the pause");
        assert_eq!(ask.note, NOTE);
        assert_eq!(state.pause_ended(NOTE, typed_again), None, "already asked");
    }

    #[test]
    fn a_submitted_note_starts_answered_and_asked() {
        let refused = Submission {
            description: "hello".to_string(),
            outcome: Err(PredictFailure::Input(InputProblem::NoWords)),
        };
        let state = PredictState::new(Some(refused));
        assert_eq!(state.notice, Some(InputProblem::NoWords));
        let mut state = PredictState::new(Some(Submission {
            description: NOTE.to_string(),
            outcome: answer(NOTE, "US"),
        }));
        assert!(state.settled && state.notice.is_none());
        assert!(state.answer().is_some());
        let since = state.keystroke();
        assert_eq!(
            state.pause_ended(NOTE, since),
            None,
            "the server answered it already"
        );
    }

    #[test]
    fn only_an_unsure_guess_is_checked_after_a_pause() {
        let guess = |probability: f32| DistilledGuess {
            text: NOTE.to_string(),
            countries: vec![LabelScore {
                label: "US".to_string(),
                probability,
            }],
            explanation: Vec::new(),
        };
        assert_eq!(unsure_note(&guess(0.59)).as_deref(), Some(NOTE));
        assert_eq!(unsure_note(&guess(0.6)), None);
    }
}
