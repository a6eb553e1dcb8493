"""Build data/autoqa/conversations.jsonl from the hand-written libraries (seeded, deterministic).

Usage: python data/autoqa/build_corpus.py [--n 720] [--seed 13] [--out data/autoqa/conversations.jsonl]

Labels are right by construction: the empathy of each agent turn is decided first and only the
acknowledgement part of that turn is drawn from an empathetic or non-empathetic pool; resolution
is decided first and the flow of the conversation (fix and confirmation versus refusal, callback,
ticket, wrong fix or a fix that fails after the customer already said thanks) follows from it.
Closings, apologies and thanks are drawn from the same pools whatever the labels, so they carry
no signal on their own.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import library as L  # noqa: E402
from hard_cases import HARD_CASES  # noqa: E402

STYLES = ["phone", "chat", "email", "social"]
STYLE_WEIGHTS = [0.32, 0.32, 0.18, 0.18]

GENERIC_TRY = [
    "Could you try logging out and back in?",
    "Please try restarting it and let me know.",
    "Try clearing the cache and refreshing the page.",
    "Can you check again in a couple of minutes?",
    "Can you switch it off and on again for me?",
]
SOCIAL_ASK = [
    "Please send us your details by private message and we'll check it for you.",
    "Could you DM us your reference number?",
    "Please follow us and send a private message with your account details.",
]
SOCIAL_INFO = ["Sent you a DM.", "done, check your messages", "I've sent it privately."]
CUSTOMER_SARCASTIC_OPEN = ["Oh fantastic. ", "Love this. ", "Great, just great. ",
                           "Wonderful service as always. "]

SHORTHAND = {
    "you": "u", "your": "ur", "please": "pls", "thanks": "thx", "thank you": "ty",
    "are": "r", "because": "cuz", "tomorrow": "tmrw", "minutes": "mins", "okay": "ok",
    "really": "rly", "message": "msg", "for": "4", "to be honest": "tbh", "i don't know": "idk",
}
MISHEARD = {
    "account": "a count", "refund": "re fund", "charged": "charge", "bill": "bell",
    "card": "car", "their": "there", "here": "hear", "sent": "cent", "order": "odour",
    "week": "weak", "arrived": "a rived", "router": "rooter", "claim": "clean",
    "meter": "metre", "two": "too", "flight": "fight", "reference": "refer ants",
    "payment": "pavement", "cancelled": "canceled", "subscription": "sub script shun",
}
FILLERS = ["um", "uh", "yeah", "so", "er", "like"]
AGENT_NAMES = ["Sam", "Jenny", "Luke", "Nadia", "Ravi", "Ellie", "Marco", "Zoe"]


class Slots(dict):
    """Fills {placeholders} with seeded random values."""

    def __init__(self, rng: random.Random, brand: str) -> None:
        super().__init__()
        self.rng = rng
        self["brand"] = brand
        self["brandl"] = brand.lower().replace(" ", "")

    def __missing__(self, key: str) -> str:
        r = self.rng
        value = {
            "amount": lambda: f"£{r.randint(12, 480)}.{r.randint(0, 99):02d}",
            "small": lambda: f"£{r.randint(5, 90)}",
            "num": lambda: str(r.randint(10000, 999999)),
            "short": lambda: str(r.randint(1000, 9999)),
            "day": lambda: r.choice(["3rd", "12th", "21st", "28th", "5th"]),
            "name": lambda: f"{r.choice(L.NAMES)} {r.choice(L.SURNAMES)}",
            "surname": lambda: r.choice(L.SURNAMES),
            "postcode": lambda: f"{r.choice('BLMNS')}{r.randint(1, 20)} {r.randint(1, 9)}"
                                f"{r.choice('ABDEFG')}{r.choice('HJLNPQ')}",
            "ref": lambda: "".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6)),
            "policy": lambda: f"HP-{r.randint(100000, 999999)}",
            "housenum": lambda: str(r.randint(1, 120)),
            "street": lambda: r.choice(L.STREETS),
            "word": lambda: r.choice(L.WORDS),
            "dob": lambda: f"{r.randint(1, 28)}/{r.randint(1, 12)}/{r.randint(1940, 2001)}",
            "month": lambda: r.choice(L.MONTHS),
        }[key]()
        self[key] = value
        return value


def fill(text: str, slots: Slots) -> str:
    return text.format_map(slots)


def shorthand(text: str, rng: random.Random) -> str:
    out = text
    for long, short in SHORTHAND.items():
        if rng.random() < 0.8:
            out = re.sub(rf"\b{long}\b", short, out, flags=re.IGNORECASE)
    out = out.lower() if rng.random() < 0.7 else out
    return out.rstrip(".") if rng.random() < 0.6 else out


def asr(text: str, rng: random.Random) -> str:
    """Simulate a Whisper-like transcript with errors: lowercase, no punctuation, misheard words."""
    words = re.sub(r"[^\w'£ ]+", " ", text.lower()).split()
    out: list[str] = []
    for w in words:
        if w in MISHEARD and rng.random() < 0.5:
            out.append(MISHEARD[w])
        else:
            out.append(w)
        if rng.random() < 0.04:
            out.append(rng.choice(FILLERS))
    if rng.random() < 0.4:
        out.insert(0, rng.choice(FILLERS))
    return " ".join(out)


def empathy_ack(rng: random.Random, sit: str) -> str:
    r = rng.random()
    if r < 0.35:
        return rng.choice(L.EMPATHY_SIT).format(sit=sit)
    if r < 0.55:
        return rng.choice(L.EMPATHY_PLAIN)
    if r < 0.85:
        return rng.choice(L.EMPATHY_REACTION)
    return rng.choice(L.WARM_SUPPORT)


def extras(rng: random.Random, k: int) -> list[str]:
    """k non-empathetic sentences: advice, questions, information, own stories, upbeat fillers."""
    pools = [L.ADVICE, L.ADVICE, L.QUESTION, L.INFO, L.PERSONAL, L.UPBEAT, L.AGENT_SELF]
    return [rng.choice(rng.choice(pools)) for _ in range(k)]


def compose(rng: random.Random, ack: str, body: str, warm: bool) -> str:
    """Place the acknowledgement and body, sometimes inside a longer, mixed agent turn.

    A warm sentence may sit anywhere in a long turn (the turn is still empathetic); a cold
    turn may be long and personal (advice, own stories, questions) without being warm.
    """
    parts = [ack, body] if ack else [body]
    if rng.random() < 0.4:
        more = extras(rng, rng.randint(1, 4))
        parts = [body, *more]
        if ack:
            parts.insert(rng.randint(0, len(parts)), ack)
    elif warm and rng.random() < 0.25:
        parts = [body, ack]
    return join(*parts)


def cold_ack(rng: random.Random, tone: str, slots: Slots, tags: set[str]) -> str:
    """A non-empathetic opener in the conversation's tone (may be empty)."""
    r = rng.random()
    if tone == "boilerplate" and r < 0.7:
        tags.add("boilerplate_apology")
        return rng.choice(L.BOILERPLATE)
    if tone == "scripted" and r < 0.7:
        tags.add("scripted_empathy")
        return fill(rng.choice(L.SCRIPTED), slots)
    if tone == "curt" and r < 0.5:
        tags.add("curt")
        return rng.choice(L.CURT)
    if tone == "blaming" and r < 0.5:
        tags.add("blaming")
        return rng.choice(L.BLAMING)
    if tone == "sarcastic" and r < 0.4:
        tags.add("sarcasm")
        return rng.choice(L.SARCASTIC_AGENT)
    return rng.choice(L.PROCEDURAL)


def join(*parts: str) -> str:
    return " ".join(p.strip() for p in parts if p and p.strip())


def row(row_id: str, domain: str, style: str, turns: list[tuple[str, str, int]],
        resolved: bool, tags: set[str]) -> dict:
    """A corpus line from (speaker, text, empathy) turns; empathy is read for agent turns."""
    return {
        "id": row_id,
        "domain": domain,
        "style": style,
        "turns": [{"speaker": s, "text": t} for s, t, _ in turns],
        "resolved": int(resolved),
        "agent_empathy": [e for s, _, e in turns if s == "agent"],
        "tags": sorted(tags),
    }


class Conversation:
    """A generated conversation being written: its labels and voice, and the turns so far."""

    def __init__(self, rng: random.Random, style: str, slots: Slots, empathetic: bool,
                 tone: str, sit: str) -> None:
        self.rng, self.style, self.slots = rng, style, slots
        self.empathetic, self.tone, self.sit = empathetic, tone, sit
        self.tags: set[str] = set()
        # (speaker, text, empathy); empathy -1 for customer turns
        self.turns: list[tuple[str, str, int]] = []

    def agent(self, body: str, *, allow_emp: bool = True, greet: bool = False) -> None:
        rng = self.rng
        n_agent = sum(1 for s, _, _ in self.turns if s == "agent")
        want = self.empathetic and allow_emp and rng.random() < (0.75 if n_agent == 0 else 0.45)
        ack = empathy_ack(rng, self.sit) if want else cold_ack(rng, self.tone, self.slots,
                                                                self.tags)
        hello = rng.choice(L.GREETING) if greet else ""
        if self.style == "social" and rng.random() < 0.6:
            hello = "Hello!"
        text = compose(rng, ack, fill(body, self.slots), want)
        self.turns.append(("agent", join(hello, text), int(want)))

    def customer(self, text: str) -> None:
        rng = self.rng
        if rng.random() < 0.25:
            feeling = rng.choice(L.CUSTOMER_FEELINGS)
            text = join(text, feeling) if rng.random() < 0.6 else join(feeling, text)
        self.turns.append(("customer", fill(text, self.slots), -1))


def generate(i: int, rng: random.Random) -> dict:
    domain = sorted(L.DOMAINS)[i % len(L.DOMAINS)]
    spec = L.DOMAINS[domain]
    problem = rng.choice(spec["problems"])
    style = rng.choices(STYLES, STYLE_WEIGHTS)[0]
    brand = rng.choice(spec["brands"])
    slots = Slots(rng, brand)
    # Decide the labels first (balanced 2 x 2), then write a conversation that has them.
    empathetic = (i // 2) % 2 == 1
    resolved = i % 2 == 1
    tone = rng.choice(["boilerplate", "scripted", "curt", "blaming", "plain", "plain",
                       "sarcastic"])
    sit = rng.choice(problem["sit"])
    c = Conversation(rng, style, slots, empathetic, tone, sit)
    open_conversation(c, spec, problem, brand)
    flow_r = rng.random()
    if resolved:
        resolved_flow(c, problem, flow_r)
    else:
        unresolved_flow(c, problem, flow_r)
    closing(c)
    turns = finish(c, resolved)
    return row(f"gen-{i:04d}", domain, style, turns, resolved, c.tags)


def open_conversation(c: Conversation, spec: dict, problem: dict, brand: str) -> None:
    """The customer's opening in the conversation's style, and maybe the agent's first ask."""
    rng, style = c.rng, c.style
    opening = rng.choice(problem["open"])
    if rng.random() < 0.1:
        opening = rng.choice(CUSTOMER_SARCASTIC_OPEN) + opening
        c.tags.add("sarcasm")
    if style == "social":
        opening = f"@{brand} " + opening
    if style == "email":
        opening = opening + " " + rng.choice(spec["info"])
    c.customer(opening)

    if style == "social" and rng.random() < 0.7:
        c.agent(rng.choice(SOCIAL_ASK), greet=True)
        c.customer(rng.choice(SOCIAL_INFO))
    elif style != "email" and rng.random() < 0.75:
        c.agent(rng.choice(spec["ask"]), greet=True)
        c.customer(rng.choice(spec["info"]))


def resolved_flow(c: Conversation, problem: dict, flow_r: float) -> None:
    """A fix, confirmed (or completed by the agent), maybe after a first try that failed."""
    rng = c.rng
    if flow_r < 0.2:
        c.tags.add("recovered")
        c.agent(rng.choice(GENERIC_TRY))
        c.customer(rng.choice(L.STILL_STUCK))
        c.agent(join(rng.choice(L.RETRY_FIX_INTRO), rng.choice(problem["fix"])))
        c.customer(rng.choice(L.CONFIRM))
    elif flow_r < 0.35:
        c.agent(rng.choice(problem["fix"]))  # completed and confirmed by the agent
    else:
        c.agent(rng.choice(problem["fix"]))
        c.customer(rng.choice(L.CONFIRM))


def unresolved_flow(c: Conversation, problem: dict, flow_r: float) -> None:
    """A refusal, callback, ticket, wrong fix, or a fix that fails after the customer's thanks."""
    rng = c.rng
    if flow_r < 0.2:
        c.tags.add("thanks_before_fail")
        c.agent(rng.choice(problem["fix"]))
        c.customer(rng.choice(L.THANKS_EARLY))
        c.customer(rng.choice(L.FAILS_AFTER_THANKS))
        c.agent(rng.choice(problem["fail"]))
    elif flow_r < 0.4:
        c.agent(rng.choice(GENERIC_TRY))
        c.customer(rng.choice(L.STILL_STUCK))
        c.agent(rng.choice(problem["fail"]))
    elif flow_r < 0.55:
        c.agent(rng.choice(problem["fail"]))
    else:
        c.agent(rng.choice(problem["fail"]))
        if rng.random() < 0.5:
            c.customer(rng.choice(L.POLITE_ACCEPT))
            c.tags.add("polite_unresolved")
        elif rng.random() < 0.5:
            c.customer(rng.choice(L.SARCASTIC_CUSTOMER))
            c.tags.add("sarcasm")
        else:
            c.customer(rng.choice(L.STILL_STUCK))
    if c.empathetic or c.tone == "scripted":
        c.tags.add("polite_unresolved")


def closing(c: Conversation) -> None:
    """Maybe an agent closing (empathetic or not), maybe answered by the customer."""
    rng = c.rng
    if rng.random() < 0.55:
        if c.empathetic and rng.random() < 0.5:
            c.turns.append(("agent", rng.choice(L.EMPATHY_CLOSING), 1))
        else:
            c.turns.append(("agent", rng.choice(L.AGENT_CLOSING), 0))
        if rng.random() < 0.5:
            c.customer(rng.choice(L.CUSTOMER_CLOSING))


def finish(c: Conversation, resolved: bool) -> list[tuple[str, str, int]]:
    """The turns with the labels guaranteed and the style's surface applied (email wrapping,
    chat shorthand, ASR errors)."""
    rng, turns = c.rng, c.turns
    if c.empathetic and not any(e == 1 for _, _, e in turns):
        # Guarantee at least one empathetic agent turn: rewrite the first agent turn.
        for k, (s, text, _) in enumerate(turns):
            if s == "agent":
                turns[k] = (s, join(empathy_ack(rng, c.sit), text), 1)
                break
    if resolved and not c.empathetic and c.tone in ("curt", "blaming", "sarcastic"):
        c.tags.add("resolved_curt")

    if c.style == "email":
        turns = to_email(turns, rng, c.slots)
    elif c.style == "chat" and rng.random() < 0.65:
        c.tags.add("chat_shorthand")
        turns = [(s, shorthand(t, rng) if s == "customer" else t, e) for s, t, e in turns]
    elif c.style == "phone" and rng.random() < 0.55:
        c.tags.add("asr_errors")
        turns = [(s, asr(t, rng), e) for s, t, e in turns]
    return turns


HELPDESK_DOMAINS = ["telco", "telco", "saas", "banking", "delivery", "gaming", "utilities",
                    "banking", "delivery", "hardware", "subscriptions", "telco"]


def generate_helpdesk(i: int, rng: random.Random) -> dict:
    """A short social-media helpdesk thread; the last turns decide the outcome.

    Helpdesk accounts answer in public with short formulaic replies; many threads end with a
    request for a private message, "we have recorded it" or the customer's own verdict.
    """
    k = rng.randrange(len(L.HELPDESK_THINGS))
    thing, issue = L.HELPDESK_THINGS[k]
    domain = HELPDESK_DOMAINS[k]
    brand = rng.choice(L.DOMAINS[domain]["brands"])
    empathetic = (i // 2) % 2 == 1
    resolved = i % 2 == 1
    tags: set[str] = {"helpdesk_thread"}
    turns: list[tuple[str, str, int]] = []
    opening = rng.choice(L.HELPDESK_OPEN).format(brand=brand.replace(" ", ""), thing=thing,
                                                 thing_issue=issue)
    turns.append(("customer", opening, -1))

    def agent(text: str) -> None:
        n_agent = sum(1 for s, _, _ in turns if s == "agent")
        warm = empathetic and rng.random() < (0.8 if n_agent == 0 else 0.4)
        ack = rng.choice(L.EMPATHY_REACTION) if warm else (
            rng.choice(L.BOILERPLATE) if rng.random() < 0.3 else "")
        turns.append(("agent", compose(rng, ack, text, warm), int(warm)))

    if rng.random() < 0.7:
        agent(rng.choice(L.HELPDESK_ASK))
        if rng.random() < 0.7:
            turns.append(("customer", rng.choice(L.HELPDESK_DETAILS), -1))
    if resolved:
        ending = rng.choice(L.HELPDESK_DONE_ENDINGS)
    else:
        ending = [rng.choice(L.HELPDESK_OPEN_ENDINGS)]
        if rng.random() < 0.2:
            ending = [("agent", rng.choice(L.HELPDESK_ASK)),
                      ("customer", rng.choice(L.CUSTOMER_DETAILS_ONLY))]
        elif rng.random() < 0.3:
            ending = [rng.choice(L.HELPDESK_OPEN_ENDINGS), *ending]
            tags.add("polite_unresolved")
    for speaker, text in ending:
        if speaker == "agent":
            agent(text)
        else:
            turns.append(("customer", text, -1))
    if empathetic and not any(e == 1 for _, _, e in turns):
        for j, (sp, text, _) in enumerate(turns):
            if sp == "agent":
                turns[j] = (sp, join(rng.choice(L.EMPATHY_REACTION), text), 1)
                break
        else:
            turns.insert(1, ("agent", join(rng.choice(L.EMPATHY_REACTION),
                                           rng.choice(L.HELPDESK_ASK)), 1))
    return row(f"desk-{i:04d}", domain, "social", turns, resolved, tags)


def generate_info(i: int, rng: random.Random) -> dict:
    """A customer asks a question; an answer resolves it, a deflection leaves it open."""
    domain = sorted(L.DOMAINS)[i % len(L.DOMAINS)]
    brand = rng.choice(L.DOMAINS[domain]["brands"])
    question, answer = rng.choice(L.INFO_QA)
    empathetic = (i // 2) % 2 == 1
    resolved = i % 2 == 1
    style = rng.choice(["chat", "social", "email"])
    tags: set[str] = {"info_request"}
    turns: list[tuple[str, str, int]] = []
    opening = question if style != "social" else f"@{brand.replace(' ', '')} {question}"
    turns.append(("customer", opening, -1))

    def agent(text: str, warm: bool) -> None:
        ack = empathy_ack(rng, "all this") if warm else (
            rng.choice(L.BOILERPLATE + L.SCRIPTED).format(brand=brand)
            if rng.random() < 0.3 else "")
        hello = rng.choice(["Hello!", "Hi,", ""])
        turns.append(("agent", join(hello, compose(rng, ack, text, warm)), int(warm)))

    if resolved:
        agent(answer, empathetic)
        r = rng.random()
        if r < 0.5:
            turns.append(("customer", rng.choice(L.INFO_FOLLOW_OK), -1))
    else:
        agent(rng.choice(L.INFO_DEFLECT), empathetic)
        r = rng.random()
        if r < 0.35:
            turns.append(("customer", rng.choice(L.INFO_FOLLOW_BAD), -1))
        elif r < 0.6:
            tags.add("polite_unresolved")
            turns.append(("customer", rng.choice(L.CUSTOMER_DETAILS_ONLY), -1))
        elif r < 0.75:
            turns.append(("customer", rng.choice(L.CUSTOMER_DETAILS_ONLY), -1))
            agent(rng.choice(L.INFO_DEFLECT), False)
    return row(f"info-{i:04d}", domain, style, turns, resolved, tags)


def generate_feedback(i: int, rng: random.Random) -> dict:
    """A suggestion or compliment; recorded and confirmed = resolved, missed = open."""
    domain = sorted(L.DOMAINS)[(i * 5) % len(L.DOMAINS)]
    brand = rng.choice(L.DOMAINS[domain]["brands"])
    empathetic = (i // 2) % 2 == 1
    resolved = i % 2 == 1
    turns: list[tuple[str, str, int]] = [
        ("customer", rng.choice(L.FEEDBACK_OPEN).format(brand=brand.replace(" ", "")), -1)]
    warm = empathetic
    body = rng.choice(L.FEEDBACK_RECORDED if resolved else L.FEEDBACK_MISSED)
    ack = empathy_ack(rng, "this") if warm else (
        rng.choice(L.SCRIPTED).format(brand=brand) if rng.random() < 0.3 else "")
    turns.append(("agent", compose(rng, ack, body, warm), int(warm)))
    if rng.random() < 0.6:
        turns.append(("customer", rng.choice(L.FEEDBACK_OK if resolved else L.FEEDBACK_NOT_OK),
                      -1))
    return row(f"feedback-{i:04d}", domain, "social", turns, resolved, {"feedback"})


def to_email(turns: list[tuple[str, str, int]], rng: random.Random,
             slots: Slots) -> list[tuple[str, str, int]]:
    """Merge consecutive same-speaker turns and wrap them as emails."""
    merged: list[tuple[str, str, int]] = []
    for s, t, e in turns:
        if merged and merged[-1][0] == s:
            ps, pt, pe = merged[-1]
            merged[-1] = (s, pt + " " + t, max(pe, e))
        else:
            merged.append((s, t, e))
    customer_name = slots["name"].split()[0]
    agent_name = rng.choice(AGENT_NAMES)
    out = []
    for s, t, e in merged:
        if s == "agent":
            hi = rng.choice([f"Hi {customer_name},", f"Dear {customer_name},", "Dear customer,"])
            bye = rng.choice(["Kind regards,", "Best wishes,", "Regards,", "Thanks,"])
            out.append((s, f"{hi}\n\n{t}\n\n{bye}\n{agent_name}", e))
        else:
            hi = rng.choice(["Hello,", "Hi,", "Hi there,", ""])
            bye = rng.choice(["Thanks,", "Regards,", "Cheers,", ""])
            out.append((s, f"{hi}\n\n{t}\n\n{bye}\n{customer_name}".strip(), e))
    return out


def hard_cases() -> list[dict]:
    rows = []
    for j, (domain, style, resolved, tags, turns) in enumerate(HARD_CASES):
        rows.append({
            "id": f"hard-{j:03d}",
            "domain": domain,
            "style": style,
            "turns": [{"speaker": "customer" if m == "C" else "agent", "text": t}
                      for m, t in turns],
            "resolved": resolved,
            "agent_empathy": [int(m == "A+") for m, _ in turns if m != "C"],
            "tags": sorted(set(tags) | {"hand_written"}),
        })
    return rows


def handwritten(name: str = "handwritten.jsonl") -> list[dict]:
    """Conversations written by hand, one per line, appended verbatim (see LABELLING.md)."""
    path = HERE / name
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def contrast_pairs() -> list[dict]:
    """The hand-written contrast training pairs (issue 20): tone/outcome quadruples and stock
    apology/situated pairs, kept with their `pair`, `contrast` and `variant` fields (the test
    pairs, contrast_test.jsonl, are never read here)."""
    return handwritten("contrast_train.jsonl")


def build(n: int, seed: int, n_helpdesk: int = 240, n_info: int = 160) -> list[dict]:
    rng = random.Random(seed)
    return ([generate(i, rng) for i in range(n)]
            + [generate_helpdesk(i, rng) for i in range(n_helpdesk)]
            + [generate_info(i, rng) for i in range(n_info)]
            + [generate_feedback(i, rng) for i in range(n_info // 2)] + hard_cases()
            + handwritten() + contrast_pairs())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=720)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--helpdesk", type=int, default=240, help="social helpdesk threads")
    ap.add_argument("--info", type=int, default=160, help="information requests")
    ap.add_argument("--out", default=str(HERE / "conversations.jsonl"))
    args = ap.parse_args(argv)
    rows = build(args.n, args.seed, args.helpdesk, args.info)
    with open(args.out, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    n_agent = sum(len(r["agent_empathy"]) for r in rows)
    print(f"wrote {len(rows)} conversations, {n_agent} agent turns to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
