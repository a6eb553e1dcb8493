"""Demo conversations written for the project: support scenarios with empathetic or curt agents,
resolved or unresolved endings. Used only to fill the demo workspace (not to train AutoQA)."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    queue: str
    subject: str
    opening: tuple[str, ...]
    empathetic: tuple[str, ...]
    curt: tuple[str, ...]
    middle: tuple[tuple[str, str], ...]  # (agent, customer) exchanges
    resolved: tuple[tuple[str, str], ...]  # (agent, customer) closing pairs
    unresolved: tuple[tuple[str, str], ...]


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "billing",
        "Charged twice for my subscription",
        (
            "Hi, I've been charged twice for my subscription this month and I'm really not happy about it.",
            "Why is there a second charge of 29.99 on my card? I only have one account!",
        ),
        (
            "I'm so sorry, finding a double charge when you weren't expecting it is really stressful. Let me sort it out.",
            "Oh no, I completely understand how worrying that is, especially right before rent. I'll look into it now.",
        ),
        ("Send me the account email.", "Account number?"),
        (
            (
                "I can see two payments on the 3rd. Can you confirm the last four digits of the card?",
                "It ends in 4410.",
            ),
        ),
        (
            (
                "I've refunded the duplicate 29.99; you'll see it back on your card within 3-5 working days and I've emailed the confirmation.",
                "Brilliant, the confirmation just came through. Thank you!",
            ),
            (
                "The second charge is reversed now, the refund reference is RF-20931, and it will show within five days.",
                "Got it, thanks for fixing that so quickly.",
            ),
        ),
        (
            (
                "I can't refund it from here, you'll need to contact your bank to dispute it.",
                "So I have to chase my bank for your mistake? Unbelievable.",
            ),
            (
                "I've raised a ticket with the billing team; they'll get back to you in 5 to 7 days.",
                "I need that money now, not next week. This isn't resolved at all.",
            ),
        ),
    ),
    Scenario(
        "billing",
        "Invoice shows the wrong VAT number",
        (
            "Hello, our last three invoices show an old VAT number and our accountant is rejecting them.",
            "The VAT ID on our invoices is wrong again, we already reported this last month.",
        ),
        (
            "That's frustrating, especially having reported it before, and I'm sorry it's holding up your accounts.",
            "I hear you, having to raise the same thing twice is annoying. I'll make sure it's done properly this time.",
        ),
        ("Which invoices?", "Please provide the correct VAT number."),
        (
            (
                "Could you send me the correct VAT number as it appears on your registration?",
                "It's GB 293 8471 02.",
            ),
        ),
        (
            (
                "I've updated the VAT number and reissued invoices 1041, 1052 and 1067; they're in your billing portal now.",
                "Just downloaded them, they look right. Thanks.",
            ),
        ),
        (
            (
                "Invoices can't be changed once issued, sorry. Future ones will be fine.",
                "Our accountant needs the old ones corrected, so this doesn't help us.",
            ),
            (
                "I'll pass this on to finance, someone should be in touch.",
                "Should be? That's what they said last month.",
            ),
        ),
    ),
    Scenario(
        "accounts",
        "Locked out after password reset",
        (
            "I reset my password and now I'm locked out completely, it says too many attempts.",
            "cant log in, says account locked, i have a presentation in an hour",
        ),
        (
            "Being locked out right before a presentation is awful, let's get you back in as fast as we can.",
            "I'm sorry, that's such bad timing. I'll stay with you until you're logged in.",
        ),
        ("Wait 24 hours and try again.", "Did you use the right password?"),
        (
            (
                "For security, can you confirm the email on the account and your date of birth?",
                "maria.k@fastmail.com, 12 March 1988.",
            ),
        ),
        (
            (
                "Thanks, I've unlocked the account and sent a fresh reset link, it's valid for 15 minutes.",
                "It worked, I'm in! Thank you so much.",
            ),
            (
                "The lock is cleared. Please try logging in now with the new password.",
                "I'm in, thanks.",
            ),
        ),
        (
            (
                "The lock clears automatically after 24 hours, I can't override it.",
                "So I'll miss my presentation. Great.",
            ),
            (
                "I've escalated this to the security team, they'll email you.",
                "When? I needed this an hour ago.",
            ),
        ),
    ),
    Scenario(
        "delivery",
        "Parcel marked delivered but never arrived",
        (
            "My parcel says delivered yesterday but there's nothing here, I checked with the neighbours too.",
            "Order 55231 shows as delivered but I never got it. It was a birthday present.",
        ),
        (
            "Oh no, and it's a birthday present too, I'm really sorry. Let's find out what happened.",
            "That's so disappointing, especially when you've already checked with the neighbours. I'll help.",
        ),
        ("Check your safe place.", "The courier says it was delivered."),
        (
            (
                "I've checked the courier's photo, it shows a different door. Can you confirm your address?",
                "14 Harbour Lane, flat 2.",
            ),
        ),
        (
            (
                "I've sent a replacement by next-day delivery at no cost, it arrives tomorrow before noon, tracking is in your email.",
                "Thank you, that really saves the day.",
            ),
            (
                "I've refunded the order in full to your original payment method, you'll see it within 3 days.",
                "Thanks, that's fair.",
            ),
        ),
        (
            (
                "We have to wait 10 working days for the courier's investigation before we can do anything.",
                "The birthday is on Saturday. That's useless.",
            ),
            (
                "Please contact the courier directly, they handle missing parcels.",
                "I bought it from you, not from them.",
            ),
        ),
    ),
    Scenario(
        "returns",
        "Return label not working",
        (
            "The return label you emailed won't scan at the drop-off point.",
            "Tried to return my jacket twice, label invalid both times",
        ),
        (
            "That's annoying, especially after two trips. I'm sorry for the wasted time.",
            "I understand, going back and forth for nothing is really frustrating.",
        ),
        ("Labels expire after 14 days.", "Which order?"),
        (("Can you give me the order number so I can check the label?", "It's 88412."),),
        (
            (
                "I've generated a new label and emailed it; it's valid for 30 days and I've checked it scans.",
                "New one scanned fine at the shop. Thanks!",
            ),
        ),
        (
            (
                "The return window has closed, so I can't issue a new label.",
                "It closed because your label didn't work!",
            ),
            (
                "Try another drop-off point, it might work there.",
                "I've tried two already. Still stuck.",
            ),
        ),
    ),
    Scenario(
        "technical",
        "Internet keeps dropping every evening",
        (
            "My broadband drops every evening around 8pm and I work from home, it's driving me mad.",
            "internet cuts out every night, third time calling about this",
        ),
        (
            "I'm sorry, losing connection while you're working is stressful, and having to call three times is not okay.",
            "I can hear how fed up you are, and honestly I would be too. Let's get to the bottom of it.",
        ),
        ("Have you restarted the router?", "Is the router plugged in?"),
        (
            (
                "I'm running a line test now. Can you tell me the lights on your router?",
                "The DSL light is flashing orange.",
            ),
        ),
        (
            (
                "I found a fault at the cabinet and an engineer fixed it remotely; your line is stable again and I'll check it tonight at 8.",
                "It's been solid all evening. Thank you for following up.",
            ),
            (
                "I've moved you to a new port at the exchange, the line test now passes and the drops should stop.",
                "Okay, it's stable now, thanks.",
            ),
        ),
        (
            (
                "I've booked an engineer visit, the earliest slot is in two weeks.",
                "Two more weeks of this? I can't work like that.",
            ),
            (
                "Everything looks fine on our side, so it might be your wiring.",
                "It worked fine for years. Nothing's fixed.",
            ),
        ),
    ),
    Scenario(
        "technical",
        "App crashes when uploading photos",
        (
            "The app crashes every time I try to upload a photo since the last update.",
            "ur app keeps crashing on upload, pls fix",
        ),
        (
            "That's really annoying, especially when you've got photos you need to share. I'm sorry.",
            "I understand how frustrating it is when an update breaks something that worked.",
        ),
        ("Reinstall the app.", "What phone do you have?"),
        (("Which version of the app and phone are you using?", "Version 5.2 on a Pixel 7."),),
        (
            (
                "There's a known bug in 5.2; I've enabled the 5.2.1 fix for your account, please update now and try again.",
                "Updated and the upload works. Thanks!",
            ),
        ),
        (
            ("Our developers are aware, there's no fix date yet.", "So I just can't use it. Okay."),
            (
                "I've logged a bug report, you'll get an email when it's fixed.",
                "That could be weeks.",
            ),
        ),
    ),
    Scenario(
        "travel",
        "Flight cancelled, need rebooking",
        (
            "My flight to Lisbon tomorrow got cancelled and I'm going to my sister's wedding.",
            "Flight TP1345 cancelled, I need to get there by Friday for a wedding",
        ),
        (
            "Oh no, your sister's wedding, I'm so sorry, that's a horrible message to get. Let's get you there.",
            "That must be really upsetting with the wedding so close. I'll find you the best option.",
        ),
        ("Booking reference?", "Cancellations are due to weather."),
        (("Can I have your booking reference?", "It's QX7LM2."),),
        (
            (
                "I've rebooked you on tomorrow's 7:40 flight at no cost; your new e-ticket is in your inbox.",
                "Got the e-ticket. I'll be there in time, thank you so much.",
            ),
        ),
        (
            (
                "All flights this week are full, I can offer a voucher.",
                "A voucher doesn't get me to the wedding.",
            ),
            (
                "You'll need to rebook online once the system updates.",
                "The website says call you. I'm going round in circles.",
            ),
        ),
    ),
    Scenario(
        "insurance",
        "Claim still pending after a month",
        (
            "I submitted a claim for water damage a month ago and nobody has contacted me.",
            "It's been four weeks since my claim and my kitchen ceiling is still open.",
        ),
        (
            "A month living with an open ceiling sounds exhausting, I'm sorry you've been left waiting.",
            "I'm sorry, that's a long time to wait with damage in your home. Let me check where it stands.",
        ),
        ("Claims take 4-6 weeks.", "Claim number?"),
        (("Could you give me the claim number?", "CL-449120."),),
        (
            (
                "The assessor's report was stuck in review; I've approved the claim and the payment of 2,340 pounds goes out today.",
                "That's a huge relief, thank you.",
            ),
        ),
        (
            ("It's still with the assessor, I can't speed it up.", "So I just keep waiting. Fine."),
            (
                "I've sent a chaser, you should hear something soon.",
                "I was told that two weeks ago.",
            ),
        ),
    ),
    Scenario(
        "utilities",
        "Energy bill much higher than usual",
        (
            "My energy bill this month is three times higher than normal, I can't afford that.",
            "bill is 412 pounds?? usually 130",
        ),
        (
            "I'm sorry, a bill like that is a real shock, especially when money is tight. Let's look at it together.",
            "That's a scary amount to see, I completely understand. I'll go through it with you.",
        ),
        ("The bill is based on your usage.", "Send a meter reading."),
        (("Could you give me a meter reading from today?", "It says 18342."),),
        (
            (
                "The last bill used an estimate; with your real reading the bill is 128.40, I've reissued it and cancelled the old one.",
                "That's more like it, thank you so much.",
            ),
        ),
        (
            (
                "The estimate stands until the next scheduled reading.",
                "So I have to pay 412 now? No way.",
            ),
            (
                "I'll ask the metering team to look into it.",
                "And until then I'm stuck with this bill.",
            ),
        ),
    ),
    Scenario(
        "banking",
        "Card blocked abroad",
        (
            "My card was blocked while I'm on holiday in Spain and I can't pay for anything.",
            "card declined everywhere, im abroad",
        ),
        (
            "That's really stressful, being abroad without a working card. I'm sorry, let's fix this now.",
            "I understand, that's a horrible situation to be in on holiday. I'll help you right away.",
        ),
        ("Security checks are automatic.", "Did you tell us you were travelling?"),
        (
            (
                "I need to verify you first; can you confirm the last transaction you made?",
                "A coffee shop, 4.20 euros.",
            ),
        ),
        (
            (
                "Thanks, the block is removed and I've added a travel note until the 30th; try your card again now.",
                "Just paid for lunch, it works. Thank you!",
            ),
        ),
        (
            (
                "I can't remove the block by chat, you'll need to call the fraud line.",
                "International calls cost a fortune, this doesn't help.",
            ),
            ("A new card will be posted to your home address.", "I'm in Spain, that's no use."),
        ),
    ),
    Scenario(
        "saas",
        "Team can't access shared workspace",
        (
            "Since this morning nobody on my team can open our shared workspace, we have a client deadline.",
            "Workspace access denied for whole team",
        ),
        (
            "A whole team locked out on deadline day is stressful, I'm sorry. I'll treat this as urgent.",
            "I understand the pressure you're under with the client deadline. Let's get everyone back in.",
        ),
        ("Check your permissions.", "Which workspace?"),
        (
            (
                "What's the workspace name and the error your team sees?",
                "Acme-Design, 'access denied: plan expired'.",
            ),
        ),
        (
            (
                "Your renewal payment failed on a expired card; I've extended the plan 7 days and restored access, everyone can log in now.",
                "Confirmed with the team, we're all back in. Thank you!",
            ),
        ),
        (
            (
                "Access will return once the invoice is paid through the billing portal.",
                "The billing portal is inside the workspace we can't open.",
            ),
            ("I've raised it with engineering.", "We needed it this morning. Still nothing."),
        ),
    ),
)

GREETINGS = (
    "Hi, thanks for contacting us, this is {agent}.",
    "Hello, you're through to {agent}.",
    "Hi there, {agent} here.",
)
CURT_GREETINGS = ("Hi.", "Support.", "Hello.")
SIGNOFF = ("Is there anything else I can help with?", "Anything else today?")


def conversation(
    scenario: Scenario, agent: str, *, empathetic: bool, resolved: bool, rng: random.Random
) -> list[tuple[str, str]]:
    """One dialogue as (speaker, text) turns for the given combination of empathy and outcome."""
    turns = [("customer", rng.choice(scenario.opening))]
    if empathetic:
        turns.append(
            (
                "agent",
                f"{rng.choice(GREETINGS).format(agent=agent)} {rng.choice(scenario.empathetic)}",
            )
        )
    else:
        turns.append(("agent", f"{rng.choice(CURT_GREETINGS)} {rng.choice(scenario.curt)}"))
    for agent_text, customer_text in scenario.middle:
        turns.append(("agent", agent_text))
        turns.append(("customer", customer_text))
    agent_end, customer_end = rng.choice(scenario.resolved if resolved else scenario.unresolved)
    turns.append(("agent", agent_end))
    turns.append(("customer", customer_end))
    if resolved:
        turns.append(("agent", rng.choice(SIGNOFF)))
        turns.append(("customer", "No, that's all."))
    return turns
