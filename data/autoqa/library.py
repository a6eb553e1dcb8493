"""Hand-written turn libraries for the AutoQA training corpus (project-written, ships with Coachline).

Each domain lists problems; each problem has customer openings, a situation phrase the agent
can acknowledge ("{sit}"), fixes that complete the request and non-fixes that leave it open.
Empathy lives only in the agent acknowledgements below, never in the procedural bodies, so the
generator can set per-turn empathy labels by construction, independently of resolution.
"""

from __future__ import annotations

DOMAINS: dict[str, dict] = {
    "billing": {
        "brands": ["Brightwave", "Northgate Energy", "Clearpay Utilities"],
        "ask": [
            "Can you give me the account number and the date of the charge?",
            "What's the billing account number, and which invoice are we talking about?",
            "Could you confirm the email on the account and the last four digits of the card?",
        ],
        "info": [
            "Account {num}, the charge was on the {day}.",
            "it's {num}. invoice from last month",
            "The account number is {num} and it's the card ending {short}.",
        ],
        "problems": [
            {
                "open": [
                    "I've been charged twice for my monthly bill and now my account is overdrawn.",
                    "Hi, there are two identical payments of {amount} on my statement for the "
                    "same bill.",
                ],
                "sit": ["being charged twice", "seeing a double payment leave your account"],
                "fix": [
                    "I've refunded the duplicate payment of {amount}; you'll get a confirmation "
                    "email now and the money will be back within three working days.",
                    "The second charge has been reversed on our side and the refund reference "
                    "is RF-{num}.",
                ],
                "fail": [
                    "I can see both payments, but refunds are handled by the finance team, so "
                    "I've passed it on and they'll be in touch within ten working days.",
                    "Our system only shows one charge, so you'll need to ask your bank to "
                    "raise a dispute.",
                ],
            },
            {
                "open": [
                    "My bill this month is three times what it usually is and nothing has changed.",
                    "Why is my invoice {amount}? I normally pay about a third of that.",
                ],
                "sit": ["getting a bill three times bigger than usual",
                        "opening a bill that size with no warning"],
                "fix": [
                    "The meter reading was estimated wrongly. I've corrected it and reissued the "
                    "bill; the new amount is {small} and it's already on your account.",
                    "You were put on the wrong tariff in March. I've moved you back and "
                    "credited the difference of {amount} to your account.",
                ],
                "fail": [
                    "The amount is correct according to our records, so it has to be paid as "
                    "billed.",
                    "I've logged a billing query, and someone from the review team will contact "
                    "you, but I can't change the amount today.",
                ],
            },
            {
                "open": [
                    "I cancelled my direct debit but you took the money anyway.",
                    "I closed this account in June and I'm still being billed every month.",
                ],
                "sit": ["still being billed after you cancelled",
                        "having money taken after you'd closed the account"],
                "fix": [
                    "I've closed the account properly as of June and refunded the {amount} "
                    "taken since; the final statement shows a zero balance.",
                    "The direct debit is now cancelled and the payment has been returned to "
                    "your card; you should see it in two to three days.",
                ],
                "fail": [
                    "There's no cancellation request on file, so the charges stand until you "
                    "send the cancellation form in writing.",
                    "I'd need the cancellation confirmation number, and without it I can't do "
                    "anything, sorry. Please call back when you've found it.",
                ],
            },
        ],
    },
    "telco": {
        "brands": ["Telvio", "Skyline Mobile", "Unitel Broadband"],
        "ask": [
            "Can I take the account holder's name and the postcode?",
            "What's the mobile number on the account?",
            "Could you tell me the lights showing on the router at the moment?",
        ],
        "info": [
            "the number is 07{num}",
            "It's under {name}, postcode {postcode}.",
            "Power is green, the internet light is flashing orange.",
        ],
        "problems": [
            {
                "open": [
                    "My broadband has been down since Monday and I work from home.",
                    "internet keeps dropping every 10 min, been like this all week",
                ],
                "sit": ["losing the internet when you work from home",
                        "having the connection drop all week"],
                "fix": [
                    "There was a fault on the line at the exchange. I've reset your port and "
                    "the line test now passes; the router should reconnect within a minute.",
                    "I've pushed a firmware update to the router and changed the channel; the "
                    "connection is stable on my side now.",
                ],
                "fail": [
                    "I've booked an engineer, but the first slot is in eight days, so the "
                    "service will stay down until then.",
                    "The line test shows no fault, so it's probably your wiring. You'd need to "
                    "hire an electrician and call us back afterwards.",
                ],
            },
            {
                "open": [
                    "I've got no signal at all since I got the new SIM.",
                    "My phone says SIM not provisioned and I can't make calls.",
                ],
                "sit": ["being without a working phone", "having no signal since the new SIM"],
                "fix": [
                    "The SIM swap hadn't completed. I've activated the new SIM now; restart the "
                    "phone and you'll have signal.",
                    "I've re-provisioned the SIM and sent a test text to your number.",
                ],
                "fail": [
                    "It can take up to 72 hours for a SIM to activate, so there's nothing to do "
                    "but wait and call us again if it still doesn't work.",
                    "You'll need to take the phone and your ID to one of our stores so they can "
                    "check the SIM.",
                ],
            },
            {
                "open": [
                    "I've been charged roaming fees of {amount} but I had the travel add-on.",
                    "why have I got a roaming charge, I bought the EU pass before I went",
                ],
                "sit": ["coming home to roaming charges you'd paid to avoid",
                        "finding a roaming bill after planning ahead for it"],
                "fix": [
                    "The add-on was applied a day late. I've removed the {amount} of roaming "
                    "charges and your balance is updated.",
                    "I've credited the full roaming charge back; it'll show on your next bill "
                    "as a credit.",
                ],
                "fail": [
                    "The pass only covers data, not calls, so these charges are correct and I "
                    "can't remove them.",
                    "I've raised a case with the roaming team, reference CS-{num}; they'll "
                    "review it but I can't promise a refund.",
                ],
            },
        ],
    },
    "delivery": {
        "brands": ["Parcelio", "ShopRight", "Northbay Store"],
        "ask": [
            "Can I have the order number, please?",
            "What's the order number and the delivery postcode?",
            "Could you confirm the email address you ordered with?",
        ],
        "info": [
            "Order {num}.",
            "its #{num}",
            "The order number is {num}, delivered to {postcode}.",
        ],
        "problems": [
            {
                "open": [
                    "My parcel says delivered but it's not here and I've checked with the "
                    "neighbours.",
                    "tracking says delivered yesterday but nothing arrived",
                ],
                "sit": ["being told a parcel was delivered when it wasn't",
                        "waiting for a parcel that never turned up"],
                "fix": [
                    "I've arranged a replacement which is dispatched today by express and "
                    "arrives tomorrow; the tracking link is in your inbox.",
                    "I've issued a full refund of {amount} to your original payment method; "
                    "you'll see the confirmation email now.",
                ],
                "fail": [
                    "The courier's GPS shows it at your address, so we can't do anything until "
                    "their investigation finishes in about two weeks.",
                    "You'll need to contact the courier directly, as once it's marked delivered "
                    "it's out of our hands.",
                ],
            },
            {
                "open": [
                    "My order is a week late and it's a birthday present for Saturday.",
                    "Where is my order? It was due on Tuesday.",
                ],
                "sit": ["worrying the present won't arrive in time",
                        "waiting a week past the date you were promised"],
                "fix": [
                    "It was stuck at the depot. I've upgraded it to next-day delivery at no cost "
                    "and it's now out for delivery, arriving before 1pm tomorrow.",
                    "I've had it rerouted to the local depot; it'll be delivered tomorrow "
                    "morning, and I've refunded the shipping.",
                ],
                "fail": [
                    "It's still in transit, so please wait another five working days before we "
                    "can open an investigation.",
                    "I can't see where it is, I'm afraid. I've opened a trace and the warehouse "
                    "will update you.",
                ],
            },
            {
                "open": [
                    "The box arrived crushed and the lamp inside is broken.",
                    "I got the wrong item, I ordered a blue kettle and got a toaster.",
                ],
                "sit": ["opening a box to find it broken", "getting the wrong item after waiting"],
                "fix": [
                    "I've sent the correct item out today with priority shipping and emailed a "
                    "prepaid label for the other one.",
                    "A replacement has been dispatched and you don't need to send the damaged one "
                    "back; the tracking number is TR{num}.",
                ],
                "fail": [
                    "Damage claims have to be reported within 24 hours of delivery, so this one "
                    "can't be accepted.",
                    "Please send photos to the claims address and they'll decide whether a "
                    "replacement is possible.",
                ],
            },
        ],
    },
    "returns": {
        "brands": ["ShopRight", "Modaline", "Homestead Direct"],
        "ask": [
            "Could you give me the order number and the item you sent back?",
            "When did you post the return, and do you have the tracking number?",
        ],
        "info": [
            "Order {num}, sent back on the {day}.",
            "posted it 3 weeks ago, tracking RT{num}",
        ],
        "problems": [
            {
                "open": [
                    "I returned a jacket a month ago and still haven't had my refund.",
                    "where's my refund?? sent the dress back ages ago",
                ],
                "sit": ["waiting a month for your own money",
                        "chasing a refund for weeks"],
                "fix": [
                    "The return was received but not processed. I've processed the refund of "
                    "{amount} now and the confirmation email is on its way.",
                    "I've pushed the refund through manually; it's been sent to your card and "
                    "you'll have it in three to five days.",
                ],
                "fail": [
                    "We haven't received the parcel yet, so you'll need to ask the post office "
                    "to trace it before we can refund.",
                    "The returns team handles refunds and they're backlogged, so please allow "
                    "another 14 days.",
                ],
            },
            {
                "open": [
                    "Your website won't let me start a return, it just says error.",
                    "I want to return some shoes that don't fit but the returns page is broken.",
                ],
                "sit": ["being stuck on a broken returns page",
                        "trying to return something and hitting errors"],
                "fix": [
                    "I've created the return for you and emailed the prepaid label; drop it at "
                    "any post office within 30 days.",
                    "I've started the return on my side and the QR code is in your inbox.",
                ],
                "fail": [
                    "The item is outside the 30-day window, so a return isn't possible.",
                    "Sale items can't be returned, that's in the terms.",
                ],
            },
        ],
    },
    "banking": {
        "brands": ["Meridian Bank", "Crestline Credit Union", "Fairway Bank"],
        "ask": [
            "For security, can you confirm your date of birth and the last transaction?",
            "Can I take your full name and the last four digits of the card?",
        ],
        "info": [
            "{name}, card ending {short}.",
            "born 12 march, last thing was groceries for {small}",
        ],
        "problems": [
            {
                "open": [
                    "My card was declined at the supermarket and there's money in the account.",
                    "I've been locked out of online banking after a password reset.",
                ],
                "sit": ["having your card declined at the till",
                        "being locked out of your own account"],
                "fix": [
                    "A fraud check had blocked the card. I've removed the block and you can use "
                    "it straight away.",
                    "I've unlocked the online banking profile and sent a reset link; once you "
                    "set a new password you're back in.",
                ],
                "fail": [
                    "The block was put on by the fraud team and only they can remove it; their "
                    "line opens at 8am.",
                    "For security reasons you'll have to visit a branch with photo ID.",
                ],
            },
            {
                "open": [
                    "There's a payment of {amount} on my account I don't recognise.",
                    "someone has used my card, there are 3 payments i never made",
                ],
                "sit": ["finding payments you never made", "worrying someone has your card"],
                "fix": [
                    "I've cancelled the card, ordered a new one and refunded the {amount} as "
                    "fraud; it's back in your balance now.",
                    "The payments have been reversed and a new card is on its way, arriving in "
                    "three days.",
                ],
                "fail": [
                    "I've opened a dispute, but it can take up to eight weeks and the money "
                    "won't be returned until it's decided.",
                    "Those payments were authorised with your PIN, so we can't treat them as "
                    "fraud.",
                ],
            },
            {
                "open": [
                    "My salary transfer hasn't arrived and my rent is due tomorrow.",
                    "A transfer I made two days ago still hasn't reached my landlord.",
                ],
                "sit": ["having rent due with the money missing",
                        "not knowing where your transfer has gone"],
                "fix": [
                    "The payment was held for a check. I've released it and it has been credited "
                    "to the recipient's account just now.",
                    "I've traced the transfer and pushed it through; the receiving bank has "
                    "confirmed it.",
                ],
                "fail": [
                    "It's with the other bank now, so you'll have to ask them.",
                    "Transfers can take up to five working days, so please call back next week "
                    "if it hasn't arrived.",
                ],
            },
        ],
    },
    "saas": {
        "brands": ["Taskly", "CloudDesk", "Metricly"],
        "ask": [
            "Which workspace is this, and what's the exact error message?",
            "Can you share the workspace URL and the browser you're using?",
        ],
        "info": [
            "workspace is {word}.{brandl}.com, error says 403",
            "Chrome, the workspace is {word}-team.",
        ],
        "problems": [
            {
                "open": [
                    "None of my team can log in since this morning, we get a 403 error.",
                    "SSO login is broken for our whole company.",
                ],
                "sit": ["having your whole team locked out on a workday",
                        "losing a morning's work to a login error"],
                "fix": [
                    "Your SSO certificate expired overnight. I've rolled the new certificate "
                    "and logins work again; I've just tested it.",
                    "A permissions change blocked your domain. I've reverted it and your team "
                    "can sign in now.",
                ],
                "fail": [
                    "I've escalated it to engineering as a priority ticket, but there's no ETA "
                    "yet.",
                    "That's an issue with your identity provider, not us, so your IT team will "
                    "need to fix it.",
                ],
            },
            {
                "open": [
                    "Our data export has been stuck at 0% for two days and I need it for an "
                    "audit.",
                    "The dashboard shows no data since the update.",
                ],
                "sit": ["having an audit coming up with the export stuck",
                        "looking at an empty dashboard when you need the numbers"],
                "fix": [
                    "The export job had crashed. I've restarted it and it's completed; the "
                    "download link is in your email.",
                    "The sync was paused by the update. I've restarted it and the data has "
                    "backfilled.",
                ],
                "fail": [
                    "Exports are processed in a queue, so I can't speed it up; please check "
                    "back tomorrow.",
                    "This is a known bug and a fix is planned for next month's release.",
                ],
            },
            {
                "open": [
                    "I was charged for 50 seats but we only have 12 users.",
                    "we downgraded but still got billed for the enterprise plan",
                ],
                "sit": ["paying for seats you don't use", "being billed for a plan you left"],
                "fix": [
                    "I've corrected the seat count to 12 and refunded the difference of "
                    "{amount}; the updated invoice is in your billing page.",
                    "The downgrade is now applied and the enterprise charge has been refunded.",
                ],
                "fail": [
                    "Seat changes only apply at renewal, so you'll be billed for 50 until then.",
                    "Billing changes need to come from the account owner, so please ask them to "
                    "email us.",
                ],
            },
        ],
    },
    "travel": {
        "brands": ["Skyway Airlines", "Aerolink", "TripNest"],
        "ask": [
            "Can I have the booking reference and the passenger surname?",
            "What's the flight number and the date?",
        ],
        "info": [
            "Booking ref {ref}, surname {surname}.",
            "flight AL{short} on the {day}",
        ],
        "problems": [
            {
                "open": [
                    "My flight was cancelled and I'm stuck at the airport with two kids.",
                    "They've cancelled my connection and nobody at the gate can help.",
                ],
                "sit": ["being stranded at the airport with your children",
                        "having your connection cancelled with no help at the gate"],
                "fix": [
                    "I've rebooked you all on the 18:40 flight tonight and issued meal vouchers; "
                    "the new boarding passes are in your email.",
                    "You're confirmed on the first flight tomorrow at 7am and I've booked a "
                    "hotel near the airport for tonight.",
                ],
                "fail": [
                    "All flights are full today, so I can only put you on the standby list.",
                    "You'll need to go back to the transfer desk in the terminal, I can't "
                    "rebook from here.",
                ],
            },
            {
                "open": [
                    "My suitcase didn't arrive and I have a wedding tomorrow.",
                    "bag lost on the way to Lisbon, all my stuff is in there",
                ],
                "sit": ["arriving without your suitcase before a wedding",
                        "losing your bag on holiday"],
                "fix": [
                    "We've located your bag in Madrid. It's on the next flight and will be "
                    "delivered to your hotel tonight by 9pm.",
                    "Your bag has been found and a courier will drop it at your address this "
                    "afternoon.",
                ],
                "fail": [
                    "I've filed a report, reference {ref}, and the baggage team will contact "
                    "you when they know something.",
                    "Please keep your receipts and claim expenses after 21 days.",
                ],
            },
            {
                "open": [
                    "I need to change my hotel dates, but the app won't let me.",
                    "I booked the wrong dates for the hotel, can I move them?",
                ],
                "sit": ["realising the dates are wrong", "fighting the app to change a booking"],
                "fix": [
                    "I've moved your stay to the 14th to the 17th at no extra charge and the new "
                    "confirmation is in your inbox.",
                    "The booking has been changed to the dates you asked for; confirmation "
                    "number {ref}.",
                ],
                "fail": [
                    "It's a non-refundable rate, so the dates can't be changed.",
                    "You'll need to contact the hotel directly to ask about changes.",
                ],
            },
        ],
    },
    "insurance": {
        "brands": ["Harbour Insurance", "Evergreen Cover", "Sentinel Mutual"],
        "ask": [
            "Can I have the policy number, please?",
            "What's your policy number and the date of the incident?",
        ],
        "info": [
            "policy {policy}",
            "It's {policy}, it happened on the {day}.",
        ],
        "problems": [
            {
                "open": [
                    "I submitted a claim for a burst pipe six weeks ago and nobody has called.",
                    "My car claim has been open for a month with no update.",
                ],
                "sit": ["living with water damage while you wait",
                        "being without a car for a month"],
                "fix": [
                    "Your claim has been approved today and the payment of {amount} has been "
                    "sent; you'll get the settlement letter by email.",
                    "I've booked the repair with our approved garage for Thursday and a hire "
                    "car is confirmed from tomorrow.",
                ],
                "fail": [
                    "It's still with the assessor and I can't chase them, so please wait for "
                    "their call.",
                    "We need an independent report before a decision, which can take another "
                    "six weeks.",
                ],
            },
            {
                "open": [
                    "My renewal price has gone up by 60% and I haven't claimed.",
                    "why did my premium jump to {amount}",
                ],
                "sit": ["facing a 60% price rise with no claims",
                        "seeing your premium jump without warning"],
                "fix": [
                    "I've applied your no-claims discount that was missing and the renewal is "
                    "now {small}; the updated documents are in your account.",
                    "I've matched last year's price and renewed the policy; confirmation sent.",
                ],
                "fail": [
                    "Prices are set by the underwriter and I can't change them.",
                    "That's the market rate this year, so the quote stands.",
                ],
            },
        ],
    },
    "utilities": {
        "brands": ["Northgate Energy", "Aqualine Water", "Greenfield Power"],
        "ask": [
            "Can you confirm the supply address?",
            "What's the meter serial number?",
        ],
        "info": [
            "{housenum} {street}, {postcode}",
            "meter number is M{num}",
        ],
        "problems": [
            {
                "open": [
                    "We've had no hot water or heating since yesterday and it's freezing.",
                    "My prepayment meter says emergency credit used and I can't top up.",
                ],
                "sit": ["being without heating in this cold",
                        "being cut off because the top-up won't work"],
                "fix": [
                    "The meter had a stuck credit. I've sent a remote top-up of {small} and "
                    "your supply is back on now.",
                    "An engineer has been dispatched and will be with you by 4pm today; I've "
                    "also added a goodwill credit.",
                ],
                "fail": [
                    "The next available engineer appointment is next Wednesday.",
                    "You'll need to contact your landlord because the boiler isn't ours.",
                ],
            },
            {
                "open": [
                    "There's a water leak in the street outside my house, it's been a week.",
                    "the water pressure has been really low for days",
                ],
                "sit": ["watching the leak for a week", "managing with almost no water pressure"],
                "fix": [
                    "The crew repaired the main this morning; pressure is back to normal and "
                    "the job is closed.",
                    "A valve was left half closed after works. We've opened it and pressure is "
                    "restored in your street.",
                ],
                "fail": [
                    "It's been added to the list and a crew will inspect it when one is "
                    "available.",
                    "Low pressure is within our service standard, so we won't be sending anyone.",
                ],
            },
        ],
    },
    "healthcare": {
        "brands": ["CarePoint Clinics", "Riverside Health", "MediBook"],
        "ask": [
            "Can I have the patient's full name and date of birth?",
            "What's the appointment reference?",
        ],
        "info": [
            "{name}, born {dob}",
            "ref is A{num}",
        ],
        "problems": [
            {
                "open": [
                    "My appointment was cancelled by text and I've been waiting three months "
                    "for it.",
                    "I need to reschedule my mum's scan but the online system keeps failing.",
                ],
                "sit": ["waiting three months only to be cancelled",
                        "trying to sort your mum's scan"],
                "fix": [
                    "I've rebooked the appointment for Tuesday at 10:15 with the same "
                    "consultant and the confirmation letter is on its way.",
                    "The scan is booked for Friday at 2pm; you'll get a text confirmation now.",
                ],
                "fail": [
                    "There are no slots available, so you'll be put back on the waiting list.",
                    "Rescheduling has to go through your GP, so please ask them to send a new "
                    "referral.",
                ],
            },
            {
                "open": [
                    "I got a bill for a visit that insurance was supposed to cover.",
                    "I've been sent to collections for a bill I already paid.",
                ],
                "sit": ["getting a bill you thought was covered",
                        "being chased for a bill you paid"],
                "fix": [
                    "The claim was sent with the wrong code. I've resubmitted it, cleared the "
                    "balance and stopped the collections notice.",
                    "I've found your payment, applied it and the balance is now zero; the "
                    "collections referral is withdrawn.",
                ],
                "fail": [
                    "You'll need to take it up with your insurer, we just bill what they deny.",
                    "The billing office will review it in 30 to 45 days; until then the "
                    "balance remains.",
                ],
            },
        ],
    },
    "gaming": {
        "brands": ["Pixelforge", "Nimbus Games", "Questline"],
        "ask": [
            "What's your player ID and the platform?",
            "Can you send me the transaction ID from the store?",
        ],
        "info": [
            "player id {word}{short}, on PC",
            "transaction GPA.{num}",
        ],
        "problems": [
            {
                "open": [
                    "I bought 5000 gems and they never showed up in my account.",
                    "paid for the season pass but its still locked",
                ],
                "sit": ["paying and getting nothing", "missing out on the event you paid for"],
                "fix": [
                    "I've added the 5000 gems to your account manually; restart the game and "
                    "they'll be there.",
                    "The season pass has been unlocked on your account now.",
                ],
                "fail": [
                    "Purchases are handled by the app store, so you'll need to request a refund "
                    "from them.",
                    "I can't see the purchase on our side, so there's nothing I can add.",
                ],
            },
            {
                "open": [
                    "My account got banned for cheating and I've never cheated.",
                    "I was hacked and someone deleted all my characters.",
                ],
                "sit": ["being banned for something you didn't do",
                        "losing years of progress to a hacker"],
                "fix": [
                    "I've reviewed it and the ban was a false positive; it's lifted and your "
                    "account is active again.",
                    "I've restored your characters from yesterday's backup and secured the "
                    "account with a new password link.",
                ],
                "fail": [
                    "Bans are final and can't be reviewed by support.",
                    "I've passed it to the security team, but restores can take several weeks.",
                ],
            },
        ],
    },
    "subscriptions": {
        "brands": ["StreamBox", "ReadMore", "FitClub"],
        "ask": [
            "What's the email on the subscription?",
            "Can you confirm the last four digits of the card being charged?",
        ],
        "info": [
            "{word}{short}@mail.com",
            "Card ending {short}.",
        ],
        "problems": [
            {
                "open": [
                    "I cancelled my subscription last month but I was charged again.",
                    "I can't find any way to cancel my membership in the app.",
                ],
                "sit": ["being charged after cancelling", "going round in circles to cancel"],
                "fix": [
                    "I've cancelled the subscription, refunded this month's {amount} and you'll "
                    "get a cancellation confirmation by email.",
                    "Your membership is now cancelled with no further payments; confirmation "
                    "number C{num}.",
                ],
                "fail": [
                    "The cancellation has to be done by you in the account settings; I can't do "
                    "it for you.",
                    "You're in a 12-month contract, so cancelling early isn't possible.",
                ],
            },
            {
                "open": [
                    "The streaming keeps buffering on every show, it's unwatchable.",
                    "my account says my plan expired but i paid yesterday",
                ],
                "sit": ["paying for something you can't watch", "being shown as expired after paying"],
                "fix": [
                    "Your payment hadn't been linked to the plan. I've linked it and your "
                    "premium access is active again.",
                    "I've reset your streaming profile and moved you to a closer server; it's "
                    "playing in HD now on my test.",
                ],
                "fail": [
                    "That's your internet speed, so you'll need to contact your provider.",
                    "It's a known outage and engineering is working on it; please try later.",
                ],
            },
        ],
    },
    "hardware": {
        "brands": ["Voltix", "Orbis Electronics", "Kestrel Laptops"],
        "ask": [
            "What's the serial number of the device?",
            "Can you tell me the model and when you bought it?",
        ],
        "info": [
            "serial SN{num}",
            "It's the X{short} model, bought in {month}.",
        ],
        "problems": [
            {
                "open": [
                    "My laptop won't turn on after the update, and it has all my dissertation on "
                    "it.",
                    "The phone keeps restarting in a loop since last night.",
                ],
                "sit": ["having your dissertation stuck on a dead laptop",
                        "being without your phone"],
                "fix": [
                    "Hold the power button for 30 seconds to force the recovery mode, then "
                    "choose restore; you've confirmed it's booting now, so it's fixed.",
                    "I've booked a same-day repair at the store at 3pm and they'll keep your "
                    "data; the booking is confirmed.",
                ],
                "fail": [
                    "The warranty has expired, so repairs are chargeable and I can't book one "
                    "from here.",
                    "You'll need to send it to the repair centre; turnaround is about three "
                    "weeks.",
                ],
            },
            {
                "open": [
                    "The printer I bought says cartridge not recognised with a brand new "
                    "cartridge.",
                    "headphones only work on the left side, they're two weeks old",
                ],
                "sit": ["having brand new kit that doesn't work",
                        "buying something new that fails in two weeks"],
                "fix": [
                    "I've sent a firmware fix to the printer and it recognises the cartridge now, "
                    "as you can see on the display.",
                    "I've approved a free replacement pair; it ships today with a return label "
                    "for the faulty one.",
                ],
                "fail": [
                    "Third-party cartridges aren't supported, so that's not a fault.",
                    "Please contact the retailer you bought them from.",
                ],
            },
        ],
    },
}

# Empathetic acknowledgements: personal, warm, about this customer's feelings or situation.
EMPATHY_SIT = [
    "Oh no, I'm really sorry, {sit} must be so stressful.",
    "I can completely understand how upsetting {sit} is, and I'm sorry you've had to deal "
    "with it.",
    "That sounds really frustrating, {sit} is the last thing you need right now.",
    "I hear you, {sit} is exhausting, and honestly I'd be annoyed too.",
    "I know {sit} can be really worrying, so let's get this sorted together.",
    "You've been so patient, and I know {sit} has made your week harder than it should be.",
    "Honestly, I'd be upset about {sit} as well. I'm sorry you've been going through this.",
    "That must have been such a shock, {sit}. I'm really sorry.",
    "I can imagine how worried you must be about {sit}.",
    "Gosh, {sit} on top of everything else? I'm so sorry, that's a lot to deal with.",
    "I'm sorry, {sit} sounds miserable, and you shouldn't have had to chase us for it.",
    "I really feel for you, {sit} would stress anyone out.",
]
EMPATHY_PLAIN = [
    "Oh, that sounds awful, I'm so sorry you've been dealing with this.",
    "I'm really sorry, I can hear how stressed you are, and that's completely understandable.",
    "That's so frustrating, especially after you've already contacted us twice. I'm sorry.",
    "I totally get why you're upset, you shouldn't have had to chase this.",
    "I'm so sorry, that must be really worrying for you.",
    "Please don't worry, I can tell it's been a rough day and I'm going to look after this "
    "for you.",
    "Aw, I'm sorry, that really isn't the experience you deserve.",
    "I understand how much this matters to you, and I'm sorry it's caused you so much stress.",
    "Ugh, that's genuinely annoying and I'm sorry it's eaten up your evening.",
    "I'm sorry you're going through this, it sounds like a really difficult situation.",
    "That's not okay, and I completely understand you feeling let down.",
    "I can only imagine how tiring this has been for you.",
    "Thank you for bearing with us, I know it's been a horrible few days for you.",
    "You sound really worn out by all this, and I don't blame you one bit.",
]
EMPATHY_CLOSING = [
    "I really hope the rest of your day is a bit easier after all this.",
    "Take care of yourself, and I'm sorry again that this has been so stressful.",
    "I know this has been a lot, so thank you for being so kind while we worked through it.",
    "I hope things calm down for you now, you've had a rough time of it.",
]

# Not empathetic: boilerplate apology, scripted phrases, curt, blaming, or plain procedure.
BOILERPLATE = [
    "Sorry for the inconvenience.",
    "We apologize for any inconvenience caused.",
    "Apologies for the inconvenience.",
    "Sorry for the wait.",
    "We regret any inconvenience this may have caused.",
    "Sorry about that.",
    "Sorry for the delay in responding.",
    "We are sorry for the inconvenience.",
    "Apologies for any trouble.",
]
SCRIPTED = [
    "Thank you for contacting {brand}.",
    "Your satisfaction is important to us.",
    "We value you as a customer.",
    "Thank you for your patience.",
    "I understand your concern.",
    "Thank you for reaching out to us.",
    "I'd be happy to assist you with that.",
    "Thank you for choosing {brand}.",
    "Your call is important to us.",
    "I appreciate you bringing this to our attention.",
]
CURT = ["Ok.", "Noted.", "Fine.", "Right.", "Go on.", "Yes.", "OK, one sec.", "Understood."]
BLAMING = [
    "That's not really our problem.",
    "This is clearly stated on our website.",
    "As I already said,",
    "If you had read the email you would know this.",
    "Please calm down.",
    "There's nothing wrong on our side.",
    "You should have checked that before.",
    "We get this question a lot, it's in the FAQ.",
]
SARCASTIC_AGENT = [
    "Oh great, another one of these.",
    "Well, that's a new one.",
    "Sure, because that's never happened before.",
]
PROCEDURAL = [
    "Let me check that for you.",
    "One moment please.",
    "I'll take a look.",
    "Let me pull up your account.",
    "Bear with me while I check.",
    "Let me see what I can find.",
    "",
]
GREETING = ["Hi,", "Hello,", "Hi there,", "Good morning,", "Hello!", "", "", ""]

# Customer reactions
CONFIRM = [
    "Yes, I can see it now, thank you!",
    "that worked, cheers",
    "Perfect, it's showing on my side now.",
    "Brilliant, that's done then.",
    "ok its working now",
    "Great, I've got the confirmation email.",
    "Oh good, yes, that's sorted it.",
    "Right, yes, I can see that. Fine.",
    "Yep, all good now.",
    "ok. finally.",
    "About time. Yes it's there.",
    "Lovely, that's exactly what I needed.",
]
STILL_STUCK = [
    "It's still not working.",
    "No, that didn't change anything.",
    "So I'm still stuck then.",
    "That's it? So nothing is actually fixed?",
    "still the same error",
    "I've tried that already and it doesn't help.",
    "So I just have to wait again. Great.",
    "So what am I supposed to do in the meantime?",
    "That doesn't help me at all.",
    "nope, same problem",
]
POLITE_ACCEPT = [
    "Okay, I'll call them on Monday then. Thanks for your help.",
    "Alright, I'll wait for the update. Thanks anyway.",
    "Fine, thank you for trying.",
    "OK, I understand. Thanks for explaining.",
    "ok thanks, I'll wait to hear back then",
    "Right, I'll try that. Thank you for your time.",
    "I see. Well, thanks for being so nice about it.",
]
SARCASTIC_CUSTOMER = [
    "Wow, fantastic service, really.",
    "Oh brilliant, thanks so much for nothing.",
    "Great, so helpful as always.",
    "Amazing. Another week of waiting then.",
]
THANKS_EARLY = [
    "Oh great, thank you so much!",
    "thx!! that's brilliant",
    "Amazing, thank you, you're a star.",
    "Perfect, thanks!",
]
FAILS_AFTER_THANKS = [
    "Hang on, it's still showing the same problem.",
    "wait, no, it's gone back to how it was",
    "Actually I've just checked and nothing has changed.",
    "Hmm, I've refreshed and it still says the same.",
]
RETRY_FIX_INTRO = [
    "Let me try something else.",
    "Okay, I'll do it a different way.",
    "Right, I'll escalate that on my side and fix it now.",
]
AGENT_CLOSING = [
    "Is there anything else I can help you with today?",
    "Thanks for getting in touch, have a good day.",
    "Have a lovely evening.",
    "Take care.",
    "Thanks for contacting us.",
    "Anything else?",
    "Have a great weekend.",
    "Thank you for your time today.",
]
CUSTOMER_CLOSING = [
    "No that's all, thanks.",
    "thx bye",
    "ok bye",
    "Thanks, bye.",
    "No, that's everything.",
    "cheers",
    "Thank you. Goodbye.",
]

NAMES = ["Priya", "Tom", "Alex", "Maria", "Daniel", "Aisha", "Chen", "Sophie", "Liam", "Fatima",
         "Oliver", "Grace", "Mateo", "Hannah", "Kwame", "Yuki"]
SURNAMES = ["Patel", "Nowak", "Okafor", "Smith", "Garcia", "Kim", "O'Brien", "Rossi", "Haddad"]
STREETS = ["Mill Lane", "Station Road", "Elm Grove", "Park Avenue", "Church Street"]
WORDS = ["acme", "blue", "river", "north", "lynx", "zen", "orbit", "maple"]
MONTHS = ["January", "March", "May", "July", "September", "November"]

# --- Added in the second corpus revision -----------------------------------------------------
# Warm reactions as people actually write them (short, personal, often without "I understand"):
# any ONE of these makes an agent turn empathetic, wherever it sits in the turn.
EMPATHY_REACTION = [
    "That sounds really hard.",
    "I'm so sorry you're going through this.",
    "Ugh, that's awful.",
    "Oh no, that's horrible, I'm sorry.",
    "That must be so frustrating for you.",
    "I'm really sorry, that sounds exhausting.",
    "Honestly that sounds like a nightmare, I'm sorry.",
    "I'd be really upset too if that happened to me.",
    "That's such a stressful thing to deal with on top of everything.",
    "I'm sorry, that really sucks.",
    "What an awful week you've had.",
    "I can hear how worried you are, and that's completely fair.",
    "You must be so fed up by now.",
    "That's heartbreaking, I'm so sorry.",
    "I'm sorry this has been such a battle for you.",
    "That must have been really scary.",
    "It sounds like you've been through a lot with this.",
    "No wonder you're annoyed, I would be too.",
    "I'm really sorry, nobody should have to go through that.",
    "Oh gosh, that's a horrible position to be put in.",
    "I'm sorry for your loss, and I'm sorry we've added to a difficult time.",
    "That sounds incredibly stressful, especially with everything else going on.",
    "I totally get why you're angry.",
    "Poor you, that's a miserable way to start the day.",
    "I feel terrible that you've been left without it for so long.",
    "That's so disappointing after you'd been looking forward to it.",
    "I'm really sorry, I know how much you were relying on this.",
    "Aww, that's rotten luck, I'm sorry.",
    "I know how anxious money worries can make you, and I'm sorry this added to it.",
    "That sounds really lonely to deal with on your own.",
    "I'm so glad you told us, and I'm sorry it got this far.",
    "You've done nothing wrong here and I'm sorry you've been made to feel that way.",
    "oh no im so sorry, that sounds rubbish",
    "sorry ur dealing with this, sounds so stressful",
    "That's genuinely upsetting, and you have every right to feel let down.",
    "I'm sorry, it's exhausting having to explain this again and again.",
    "Hang in there, I know this has been a really rough stretch.",
    "I really feel for you, it's hard when something you count on lets you down.",
    "That must be so hard with a little one at home.",
    "I'm so sorry, that's a lot to carry.",
]
# Not empathetic although personal or helpful: advice, questions, information, own stories,
# "me too", cheerleading without acknowledging the person's feelings.
ADVICE = [
    "Have you tried resetting it from the settings menu?",
    "You could try using a different browser.",
    "My advice would be to keep a copy of every email they send you.",
    "The easiest thing is to download the app and do it from there.",
    "You might want to check whether your bank has blocked the payment.",
    "It's usually quicker to do this online than over the phone.",
    "Try turning off the battery saver, that often causes it.",
    "If it happens again, take a screenshot of the error.",
    "You can also ask for a callback instead of waiting on hold.",
    "Make sure the cable is pushed all the way in.",
    "I'd recommend changing your password as well, just to be safe.",
    "Keep the receipt until the refund shows up.",
    "You can set up a reminder so it doesn't lapse next year.",
    "PM me the screenshot and I'll check the settings.",
    "Honestly, the best option is probably to switch to the annual plan.",
    "Check your spam folder, the confirmation often lands there.",
    "You should be able to see it under Account, then History.",
    "Just give it another try after midnight when the system resets.",
    "Write down the reference number somewhere safe.",
    "Log a complaint with the ombudsman if it isn't settled in eight weeks.",
    "Try moving the router away from the microwave.",
    "Ask your employer for a letter, that usually speeds things up.",
    "You could split the payment over three months if that's easier.",
    "Post it with tracking so there's proof it was sent.",
    "Talk to your landlord first, they may already have a contract with us.",
    "You could try a different card, some prepaid cards aren't accepted.",
]
QUESTION = [
    "What does the error message say exactly?",
    "When did you first notice it?",
    "Did you get a confirmation email at the time?",
    "Which device are you using?",
    "Have you changed anything recently?",
    "Is it the same on the website or just in the app?",
    "Do you still have the original packaging?",
    "Was anyone at home when the courier came?",
    "Are you the account holder?",
    "What did they tell you when you called last time?",
]
INFO = [
    "Refunds normally take three to five working days to show.",
    "Our opening hours are eight till eight on weekdays.",
    "The charge is a pre-authorisation and drops off on its own.",
    "Prices changed on the first of the month for all customers.",
    "That fee applies when a payment is made after the due date.",
    "The warranty covers parts but not accidental damage.",
    "Orders placed after 2pm go out the next working day.",
    "The app updates automatically overnight.",
    "Deliveries to that area are handled by a partner courier.",
    "The outage page is updated every hour.",
    "Your plan includes 20GB of data a month.",
    "Claims are reviewed in the order they come in.",
]
PERSONAL = [
    "I had the same thing with my own phone last year.",
    "Funnily enough that happened to my brother too.",
    "I use the same model at home.",
    "Same here, mine did that after the update.",
    "We get a lot of these on Mondays.",
    "I've been doing this job for six years and seen this a few times.",
    "I switched to the app myself and never looked back.",
    "lol yeah that happens",
]
UPBEAT = [
    "Good news!",
    "No problem at all.",
    "Happy to help with that.",
    "Easy one, this.",
    "Great question.",
    "You're all set on that front.",
    "Sure thing.",
]

# Helpdesk-style social-media threads (short public replies, private-message requests,
# "we have recorded it"), where the end of the thread decides the outcome.
HELPDESK_OPEN = [
    "@{brand} why has my {thing} stopped working again? Third time this month.",
    "@{brand} Customer Service I {thing_issue} and nobody has replied to my messages.",
    "Can anyone at @{brand} explain why I {thing_issue}?",
    "@{brand} I {thing_issue}. What is going on?",
    "Dear @{brand}, I {thing_issue}, please deal with it.",
    "@{brand} is anyone there? I {thing_issue}.",
]
HELPDESK_THINGS = [
    ("data plan", "was charged for data I never used"),
    ("broadband", "have had no internet since yesterday"),
    ("app", "can't log in to the app after the update"),
    ("card", "had my card swallowed by your machine"),
    ("order", "ordered a phone two weeks ago and it still hasn't shipped"),
    ("voucher", "can't use my voucher at the kiosk"),
    ("meter", "got a bill three times higher than usual"),
    ("account", "had my account frozen without any notice"),
    ("delivery", "was told my parcel was delivered but it's not here"),
    ("phone", "had my screen go black after the system update"),
    ("points", "lost all my loyalty points overnight"),
    ("signal", "get no signal at all in the metro"),
]
HELPDESK_ASK = [
    "Hello! Please send us your account number and phone number by private message and we "
    "will check it for you.",
    "Hi, sorry for the trouble. Could you DM us your order number so we can look into it?",
    "Hello, please leave your contact details in a private message and our staff will follow "
    "up.",
    "Dear customer, please provide the specific location and time via private message.",
    "Hi! Which system version are you on? Please tell us by private message.",
]
HELPDESK_DETAILS = [
    "Sent.", "DM sent.", "I sent it yesterday already.", "Done, check your inbox.",
    "I've messaged you the number.", "Details sent by private message.",
]
# Endings that leave the problem open (unresolved)...
HELPDESK_OPEN_ENDINGS = [
    ("agent", "Hello! We have recorded your problem and fed it back to the relevant "
              "department. Please wait patiently."),
    ("agent", "Our staff will contact you within 48 hours, please keep your phone on."),
    ("agent", "Hello, the issue has been passed to our technical team. We hope you can "
              "understand."),
    ("agent", "Please send us a private message with your details so we can check."),
    ("agent", "We apologize for any inconvenience and will keep optimizing our service."),
    ("agent", "Hi, please call our hotline and a colleague will help you."),
    ("customer", "Still not fixed today. Why is your efficiency so low?"),
    ("customer", "I sent the message two days ago and nobody has answered."),
    ("customer", "You said someone would call me. Nobody called."),
    ("customer", "So I just keep waiting? Useless."),
    ("customer", "Same answer as last time and the problem is still there."),
    ("customer", "I've done all that and it still doesn't work."),
    ("customer", "I will complain to the regulator if this isn't solved."),
    ("customer", "ok I'll wait then"),
    ("agent", "Unfortunately this is outside what we can change from here."),
    ("agent", "This is decided by the system and cannot be adjusted manually, sorry."),
]
# ...and endings where it is fixed or the request is done (resolved).
HELPDESK_DONE_ENDINGS = [
    [("agent", "Hello! We have refunded the charge to your account, please check. Thank you "
               "for your support!"), ("customer", "Received, thank you.")],
    [("agent", "Our engineer has fixed the fault in your area, please restart your router "
               "and try again."), ("customer", "It works now, thanks!")],
    [("customer", "Someone called me and it's been solved now. Thanks.")],
    [("customer", "It's OK now, thank you for your help.")],
    [("agent", "The points have been restored to your account."),
     ("customer", "Yes I can see them, thanks!")],
    [("agent", "Hello, the order shipped this morning, tracking number sent by private "
               "message."), ("customer", "Got it, thanks a lot.")],
    [("customer", "Problem solved after the update, thanks everyone.")],
    [("agent", "The voucher has been reissued and can be used now."),
     ("customer", "Just used it, it worked. Thank you!")],
    [("agent", "Your account has been unfrozen, you can log in again."),
     ("customer", "Logged in fine, thank you.")],
    [("customer", "ok it's back now, cheers")],
    [("customer", "Never mind, I worked it out myself, it's working now.")],
    [("customer", "It's fine now, I figured it out: it was the settings.")],
    [("agent", "Glad it's sorted! The credit has been applied to this month's bill.")],
    [("agent", "Hello! The fault was repaired this afternoon and the line test now passes. "
               "Thank you for your patience!")],
    [("agent", "Hi, the duplicate charge has been refunded today, you'll see it on your next "
               "statement.")],
    [("customer", "It's been fixed?"), ("agent", "Yes, the engineer restored the service at "
                                                 "3pm, it's working normally now.")],
    [("agent", "Your replacement has been dispatched, tracking number 4417 2290 sent by "
               "private message.")],
    [("customer", "Thanks, the technician came today and everything is working.")],
]

# Warm support and care directed at the person (empathetic), as opposed to the agent talking
# about their own feelings (not empathetic: it does not acknowledge the customer).
WARM_SUPPORT = [
    "I'm here if you need anything else, just message me.",
    "I really hope you feel better soon.",
    "Wishing you all the best with the move, you've had a lot on.",
    "Please look after yourself, this has clearly been a draining week.",
    "You're not alone in this, and we'll get through it together.",
    "Message me any time, I'm happy to listen.",
    "Good luck with everything, I'm rooting for you.",
    "Sending you a big hug, that's a horrible thing to face.",
    "I hope your mum's appointment goes well.",
    "Hope things start looking up for you soon.",
    "You did the right thing getting in touch, and I'm glad you did.",
    "Take good care of yourself, and give yourself a break tonight.",
    "If you ever want to talk it through, I'm here.",
    "Just want you to know someone's in your corner.",
    "I'm glad you're okay, that's what matters most.",
    "I'm listening, take your time.",
    "You're not alone with this, honestly.",
    "Hang in there, you're doing so well with all of this.",
    "Hugs, that's a lot to cope with.",
    "Feel free to message me any time if it gets too much.",
    "You deserve a proper break after the week you've had.",
    "Keep going, you've handled this brilliantly.",
    "pm me if u want to talk it through, happy to help",
    "I'm always happy to listen if you want to vent about it.",
    "Sending good vibes your way.",
]
AGENT_SELF = [
    "I was so annoyed when my own flight got cancelled last summer.",
    "Honestly I hate these updates myself, they drive me mad.",
    "I get really stressed on the phone too.",
    "I was gutted when my order went missing at Christmas.",
    "I've had a terrible week as well, to be fair.",
    "I feel like I spend half my life on hold myself.",
    "My own internet was down for days last month and I was furious.",
    "I'm tired, it's been a long shift.",
    "I was a mess when that happened to me.",
    "I struggled with the same thing for years.",
    "Same, I felt awful about mine too.",
    "It made me so anxious when it happened to me.",
]

# Information requests: the customer asks how/why/whether; an answer that settles the
# question resolves it, a deflection does not.
INFO_QA = [
    ("Does the roaming pass work in Canada?",
     "Yes, the roaming pass covers Canada and the US, and it starts when you first use data "
     "there."),
    ("Why does my phone use mobile data when I'm on wifi?",
     "That's the wifi assist setting: when the wifi signal is weak the phone switches to mobile "
     "data. You can turn it off under Settings, Mobile data."),
    ("Can I change the name on my booking?",
     "Yes, name changes are free up to 48 hours before departure; you can do it under Manage "
     "booking."),
    ("Is the student discount still available for renewals?",
     "It is: as long as your student email is valid, the discount applies at renewal "
     "automatically."),
    ("How do I download last year's tax statement?",
     "Go to Documents, choose the year from the drop-down and press Download; it comes as a PDF."),
    ("Why did the screen go dark when I hold the phone to my ear?",
     "That's the proximity sensor turning the screen off during calls to save battery and avoid "
     "accidental taps; it's normal."),
    ("Do you deliver on Sundays?",
     "We don't deliver on Sundays, but Saturday delivery is available at checkout for most "
     "postcodes."),
    ("Can I use my voucher together with the sale price?",
     "Yes, vouchers can be used on sale items, as long as the order is over the voucher's "
     "minimum spend."),
    ("Will my points expire if I don't use them?",
     "Points expire after 24 months without any activity; any purchase resets the clock."),
    ("How long is the warranty on the headphones?",
     "They have a two-year warranty from the date on your receipt, covering faults but not "
     "accidental damage."),
    ("Is there a fee for paying the bill by card?",
     "No, paying by debit or credit card is free; only cash payments at the counter carry a "
     "small fee."),
    ("Why is the game asking me to verify my age again?",
     "That's a one-off check after the new regulations; once you've verified, it won't ask "
     "again."),
    ("Can I pause my subscription instead of cancelling?",
     "Yes, you can pause for up to three months under Account, Membership, Pause."),
    ("Does the policy cover my bike if it's stolen from the garden?",
     "It does, as long as it was locked to something fixed; the excess is £50."),
    ("what's the number for reporting a gas smell",
     "Please call the gas emergency line on 0800 111 999 straight away, it's open 24 hours."),
]
INFO_DEFLECT = [
    "We have noted your question and will feed it back to the relevant department.",
    "Please send us your account number via private message so we can check.",
    "There is no clear notification about that yet, please keep an eye on our announcements.",
    "This depends on local policy, please ask at your nearest branch.",
    "I'm not able to answer that one, sorry, you'll need to call the main line.",
    "Our colleagues are looking into it and will get back to you.",
    "Please check the FAQ on our website.",
]
INFO_FOLLOW_OK = ["Thanks, that's clear.", "Got it, thank you.", "Oh ok, makes sense.", "thx",
                  "Great, I'll do that.", "Ah, that explains it. Thanks!", "ok, good to know"]
INFO_FOLLOW_BAD = ["That doesn't answer my question.", "??", "So nobody knows?",
                   "I already looked there.", "ok...", "That's not what I asked."]
CUSTOMER_DETAILS_ONLY = ["07700 900123", "Yes.", "It's under my wife's name.",
                         "Account number 4471920.", "Sent the screenshot.", "OK."]

# Feedback and suggestions: when all the customer asks is to be heard and passed on,
# recording it and confirming that IS the completed request (resolved); a reply that misses
# the point or refuses to pass it on leaves it open.
FEEDBACK_OPEN = [
    "Suggestion: please add a dark mode to the app, the white screen is painful at night.",
    "@{brand} the new menu is confusing, it takes me five taps to find my bill now.",
    "Just wanted to say the lady at your Leeds branch was brilliant today.",
    "Could you make the delivery window shorter? Four hours is a long time to wait in.",
    "The lock screen pop-up is far too bright, maybe make it dimmer?",
    "Feedback: your hold music is really loud compared to the voice.",
    "Please bring back the old search, the new one never finds anything.",
    "It would be great if the receipt showed the VAT separately.",
]
FEEDBACK_RECORDED = [
    "Thanks for the suggestion! I've recorded it and passed it to our product team.",
    "Thank you for telling us, I've logged your feedback with the design team today.",
    "That's lovely to hear, I've passed your thanks on to the branch manager.",
    "Good idea, it's been added to our feature request list and you'll get an update by "
    "email.",
]
FEEDBACK_MISSED = [
    "Please send us your account number via private message so we can check your bill.",
    "We don't take feature requests through this channel.",
    "Can you tell us what error you are seeing?",
    "There are no plans to change that, sorry.",
]
FEEDBACK_OK = ["OK, thanks.", "Great, hope to see it in the next update.", "Thanks for "
               "listening!", "cheers", "Appreciated."]
FEEDBACK_NOT_OK = ["That's not what I said.", "So you won't even pass it on?", "There's no "
                   "error, it's a suggestion...", "Never mind then."]
SELF_SOLVED = ["Never mind, I worked it out myself, it's working now.",
               "It's fine now, I figured it out: it was the cable.",
               "Sorted it myself with a restart, all working."]

# The customer's own feelings (first person): emotional words that are NOT empathy, because
# nobody is acknowledging anybody else. Mixed into customer turns.
CUSTOMER_FEELINGS = [
    "I'm honestly so stressed about this.",
    "I've been in tears over it all morning.",
    "I feel like an idiot for not noticing sooner.",
    "I was devastated when I saw the balance.",
    "I'm exhausted, I've been dealing with this for weeks.",
    "I can't sleep because of it.",
    "Honestly I'm at the end of my rope.",
    "I feel completely stuck.",
    "It's been the worst week of my life.",
    "I'm so angry I could scream.",
    "I just feel like nobody listens.",
    "My anxiety is through the roof right now.",
    "I was so excited about it and now I'm gutted.",
    "im so done with this honestly",
    "I'm scared I'll lose the money for good.",
    "I feel so alone trying to sort this out.",
    "This is making me miserable.",
    "I hate feeling this helpless.",
]
