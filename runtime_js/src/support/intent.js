// What a question asks for before it is answered: a person (handoff), a callback or quote
// (the lead form), or a topic the owner ruled out (scope keywords). Pure functions over
// text, so they can be read and tested on their own.

// Lower case, accents off ("opérateur" = "operateur"), spaces squeezed.
export function fold(text) {
  return String(text || "")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[’']/g, "'")
    .replace(/\s+/g, " ")
    .trim();
}

// Asking for a person, in the UI languages we ship: a verb of reaching with a word for a
// person ("can I talk to a human?", "speak with someone"), a "real person", or the word
// alone ("agent please"). A person word without such a verb ("what does the person icon
// mean?") is an ordinary question.
const PERSON = "(?:a |an |one of )?(?:human|person|people|someone|somebody|agent|representative|rep|operator|staff|team member|customer service|support team|real person)";
const HUMAN = [
  new RegExp(`\\b(?:talk|speak|chat|connect|get through|put me through|transfer me)\\b.{0,24}\\b${PERSON}\\b`),
  /\b(?:real|live|actual) (?:person|human|agent)\b/,
  /^(?:a )?(?:human|agent|operator|representative|real person)(?: please| now)?[?!.]*$/,
  /\b(?:parler|discuter|joindre|contacter)\b.{0,24}\b(?:humain|une personne|quelqu'un|conseiller|conseillere|agent|operateur)/,
  /\b(?:mensch|menschen|mitarbeiter\w*|berater\w*|person)\b.{0,24}\b(?:sprechen|reden|kontaktieren|erreichen)\b/,
  /\b(?:sprechen|reden)\b.{0,24}\b(?:mensch|menschen|mitarbeiter\w*|berater\w*)\b/,
  /\b(?:hablar|comunicarme|contactar)\b.{0,24}\b(?:humano|una persona|alguien|agente|asesor|operador)/,
  /(?:التحدث|أتحدث|اتحدث|التواصل).{0,24}(?:شخص|إنسان|انسان|موظف|أحد)/,
  /(?:לדבר|לשוחח).{0,24}(?:אדם|נציג|בן אדם|מישהו)/,
];

const LEAD = /\b(?:contact me|call me|call me back|get a quote|request a quote|book a demo|request a demo|schedule a demo|talk to sales)\b/;

/** True when the question asks to reach a person (plus the owner's own trigger phrases). */
export function wantsHuman(question, extra = []) {
  const q = fold(question);
  return HUMAN.some((re) => re.test(q)) || extra.some((p) => p && q.includes(fold(p)));
}

/** True when the question asks to be contacted (a quote, a demo, a callback). */
export function wantsContact(question, extra = []) {
  const q = fold(question);
  return LEAD.test(q) || extra.some((p) => p && q.includes(fold(p)));
}

/**
 * The first ruled-out keyword phrase found in the question as whole words, or null:
 * "what dose" matches "What dose of X?" but not "what does it cost?". Case, accents and
 * punctuation are ignored; stop words are not (they carry the phrase's meaning).
 */
export function scopeKeyword(question, phrases) {
  const words = (text) => ` ${fold(text).replace(/[^\p{L}\p{N}]+/gu, " ").trim()} `;
  const q = words(question);
  return (phrases || []).find((p) => words(p).trim() && q.includes(words(p))) || null;
}
