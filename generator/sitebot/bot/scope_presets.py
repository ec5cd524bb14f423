"""Opt-in scope presets (`[scope] presets = ["health", "legal", "finance"]`): personal advice the
bot should hand to a person instead of answering from the site.

Each preset is a list of keyword phrases (matched whole-word, case-insensitively, in the
browser) and example questions (embedded at build time; a question whose best cosine with
an example reaches `scope.threshold` matches). Keywords are phrases of *personal advice*
("what dose", "should i sue"), never single words a shop or an office would use in ordinary
support questions ("ibuprofen", "tax", "legal notice", "prescription", "bitcoin" as a
payment method); bench/scope.py measures both rules on sensitive and ordinary questions.

`ALLOWED` are ordinary support questions of the same trades (a pharmacy, a law firm, a
bank) and of any site: a question is routed only when it is closer to a ruled-out example
than to any of these by `scope.margin`, so "do you sell ibuprofen?" reaches the answer.

Presets carry no message: the browser shows its translated default unless the owner sets
`scope.message`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    keywords: tuple[str, ...]
    examples: tuple[str, ...]


PRESETS: dict[str, Preset] = {
    "health": Preset(
        keywords=(
            "what dose",
            "which dose",
            "dosage for",
            "dosage of",
            "how much should i take",
            "how many should i take",
            "how many pills",
            "safe to take",
            "drug interaction",
            "side effects",
            "overdose",
            "diagnose me",
            "my diagnosis",
            "my symptoms",
            "medical advice",
            "stop taking my",
            "should i stop taking",
            "what is wrong with me",
            "what should i take for",
            "what can i take for",
            "take safely",
            "safe dose",
            "my blood pressure is",
            "my blood sugar is",
        ),
        examples=(
            "How much paracetamol can I take in a day?",
            "What dose of antibiotics should my child take?",
            "Can I take ibuprofen while I'm pregnant?",
            "Is it safe to mix my blood pressure pills with alcohol?",
            "I have chest pain and a headache, what do I have?",
            "Do my symptoms mean I have diabetes?",
            "Should I stop taking my antidepressants?",
            "Can I take these two medicines together?",
            "What happens if I double my dose?",
            "Is this rash on my arm serious?",
            "How should I treat my infection at home?",
            "My child has a fever of 39, what medicine should I give?",
            "Can I drink coffee with my heart medication?",
            "Do I need antibiotics for my sore throat?",
            "Is this mole on my back cancer?",
            "What should I take for my migraine?",
            "How many tablets can I safely take at once?",
            "What medicine should I give my baby?",
            "Are my blood test results normal?",
            "Is it dangerous to take supplements with my prescription?",
        ),
    ),
    "legal": Preset(
        keywords=(
            "legal advice",
            "should i sue",
            "can i sue",
            "sue my",
            "take legal action",
            "custody of my",
            "plead guilty",
            "evict me",
            "fired me",
            "my legal rights",
            "is it legal for my",
            "child support",
            "restraining order",
            "wrongful dismissal",
            "unfair dismissal",
            "can i be sued",
            "break my lease",
            "my prenup",
        ),
        examples=(
            "Should I sue my employer?",
            "Can I sue my neighbour for the damage to my car?",
            "Is this contract legal for me to sign?",
            "How do I get custody of my children?",
            "Can my landlord evict me without notice?",
            "Am I liable if someone gets hurt on my property?",
            "What are my rights if I was fired without a reason?",
            "Do I have a case against my former business partner?",
            "How can I get out of my lease early without paying?",
            "Will I go to jail for this traffic offence?",
            "Should I plead guilty?",
            "Can I break the non-compete clause in my employment contract?",
            "How do I write my will so that my kids inherit everything?",
            "Is it legal for my boss to read my emails?",
            "Can I get divorced without a lawyer?",
            "Is the contract my employer wants me to sign fair to me?",
            "What happens to me if I ignore a letter from the court?",
            "Who is legally responsible for the damage?",
            "Can my company fire me for this?",
            "Is my agreement valid if it was not notarised?",
        ),
    ),
    "finance": Preset(
        keywords=(
            "financial advice",
            "investment advice",
            "tax advice",
            "should i invest",
            "invest my savings",
            "my savings in",
            "should i buy stocks",
            "should i buy shares",
            "should i sell my shares",
            "which stocks should",
            "which shares should",
            "should i pay off my",
            "declare bankruptcy",
            "reduce my taxes",
            "avoid paying tax",
            "avoid inheritance tax",
            "good time to invest",
            "should i take out a loan",
            "should i consolidate",
            "should i cash out",
        ),
        examples=(
            "Should I invest my savings in stocks?",
            "Should I buy bitcoin now or wait?",
            "Which shares should I buy this year?",
            "Should I pay off my mortgage early or invest the money?",
            "How can I reduce the tax I pay on my income?",
            "Should I take out a loan to pay my debts?",
            "How should I split my pension between funds?",
            "Can I deduct my home office from my taxes?",
            "Is it worth refinancing my house?",
            "What should I do with the money I inherited?",
            "Should I declare bankruptcy?",
            "How much should I save for retirement at my age?",
            "Which credit card should I get to fix my credit score?",
            "Is gold a safe investment for me right now?",
            "Should I sell my shares before the market crashes?",
            "Should I keep renting or buy a home?",
            "Which fund should I put my money in?",
            "Do I have to declare my rental income?",
            "Is it a good idea to lend money to family?",
            "Should I switch my insurance policy?",
        ),
    ),
}


# Questions a support bot must answer even on a pharmacy's, a law firm's or a bank's site;
# compared with every scope rule that has examples (the owner adds more with scope.allowed).
ALLOWED: tuple[str, ...] = (
    # a pharmacy or a clinic
    "Do you sell this medicine?",
    "Is this product in stock?",
    "How much does this medicine cost?",
    "Can I order my medicines online?",
    "When can I collect my prescription?",
    "Do you deliver prescriptions?",
    "Do you offer vaccinations at the pharmacy?",
    "Can I book an appointment with the pharmacist?",
    "Do you have a pharmacist on duty at night?",
    "Which brands of vitamins do you sell?",
    "Do you sell medical devices like blood pressure monitors?",
    "Is the clinic open on weekends?",
    # a law firm
    "How do I book a consultation with a lawyer at your firm?",
    "What are your legal fees?",
    "Which areas of law does your firm cover?",
    "How do I find your offices?",
    "Do you offer a free first meeting?",
    "Can I send you my documents online?",
    "Where can I read your terms of service?",
    "Where is the legal notice of this website?",
    # a bank or an insurer
    "What interest do you pay on savings?",
    "How do I open an account with you?",
    "What documents do I need to apply for a loan?",
    "Can I get a mortgage from you?",
    "How do I download my bank statements?",
    "What are your account fees?",
    "Do you have accounts for young people?",
    "What do I do if my card is stolen?",
    "Can I change the date of my direct debit?",
    "Which payment methods do you accept?",
    "Can I pay in instalments?",
    "Do you accept crypto payments?",
    # any site
    "When are you open?",
    "How do I contact you?",
    "How much does delivery cost?",
    "Can I return a product for my money back?",
    "How do I cancel my subscription?",
    "I forgot my password, what now?",
    "Do you have an app?",
    "Where are you located?",
)
