"""Hand-written hard-case conversations for the AutoQA corpus (project-written, verbatim).

Turn markers: "C" customer, "A" agent turn that is not empathetic, "A+" empathetic agent turn.
Each case: (domain, style, resolved, tags, turns).
"""

from __future__ import annotations

C, A, E = "C", "A", "A+"

HARD_CASES: list[tuple[str, str, int, list[str], list[tuple[str, str]]]] = [
    # --- polite but unresolved ---
    ("billing", "chat", 0, ["polite_unresolved"], [
        (C, "Hi, I was charged twice this month and I'm really short on money."),
        (E, "Oh no, I'm so sorry, being double charged when money is tight is really "
            "stressful. Let me look."),
        (A, "I can see both charges, but I'm not able to refund from this team. I've sent it "
            "to finance and they aim to reply within ten working days."),
        (C, "Ten days? Okay... I suppose that's it then."),
        (E, "I completely understand how worrying that wait is, and I'm sorry I can't do more "
            "today. Take care of yourself."),
        (C, "Thanks, you've been kind."),
    ]),
    ("telco", "phone", 0, ["polite_unresolved"], [
        (C, "My internet's been off for four days and I work from home."),
        (E, "I'm really sorry, four days without internet when you work from home is awful."),
        (A, "The earliest engineer visit I have is next Thursday, so I've booked that."),
        (C, "So I have no internet for another week."),
        (E, "I know, and I'd be frustrated in your shoes too. I'm sorry it's such a long wait."),
        (C, "Fine. Thanks anyway."),
        (A, "Thank you for calling, have a good day."),
    ]),
    ("travel", "email", 0, ["polite_unresolved"], [
        (C, "Hello,\n\nMy bag didn't arrive in Rome and my daughter's wedding is tomorrow. "
            "Please help.\n\nMaria"),
        (E, "Dear Maria,\n\nI'm so sorry, arriving without your bag right before your "
            "daughter's wedding must be heartbreaking. We have logged a report, reference "
            "RM48213, and the baggage team will contact you once the bag is located. We don't "
            "have a location yet.\n\nWarm regards,\nJenny"),
        (C, "Thank you Jenny. I'll keep waiting I guess."),
    ]),
    ("insurance", "phone", 0, ["polite_unresolved"], [
        (C, "My claim for the burst pipe has been open for seven weeks."),
        (E, "I'm sorry, living with water damage for seven weeks must be exhausting."),
        (A, "It's still with the assessor. I've added a note asking them to call you, but I "
            "can't give a date."),
        (C, "Right. Okay, thanks for listening at least."),
        (E, "Of course, and I really hope they get to you soon. Take care."),
    ]),
    ("healthcare", "chat", 0, ["polite_unresolved"], [
        (C, "I've been waiting 3 months for my appointment and it got cancelled by text"),
        (E, "I'm really sorry, waiting that long only to have it cancelled is so disheartening."),
        (A, "There are no slots at the moment, so you've been put back on the waiting list at "
            "the same priority."),
        (C, "ok thanks for explaining"),
        (A, "Have a lovely evening."),
    ]),
    ("saas", "email", 0, ["polite_unresolved"], [
        (C, "Hi team, none of our staff can log in since 9am, we get a 403 error on every "
            "page. This is blocking our whole office."),
        (E, "Hi Daniel,\n\nI'm really sorry, having your whole office locked out on a Monday "
            "morning is a nightmare and I completely understand the pressure you're under. I've "
            "escalated this to engineering as a P1. I don't have an ETA yet, but I'll email as "
            "soon as I hear.\n\nBest,\nSam"),
        (C, "Thanks Sam, appreciated. Still can't get in though."),
    ]),
    ("delivery", "social", 0, ["polite_unresolved"], [
        (C, "@ShopRight my parcel says delivered but it isn't here, it was a present for my "
            "son"),
        (E, "Hello! We're so sorry, we know how disappointing it is when a present goes "
            "missing. Please send us your order number by private message and we'll look "
            "into it."),
        (C, "Sent. Thanks."),
        (A, "Hello! Thank you, we have passed it to the courier for an investigation, which "
            "takes up to 10 days."),
    ]),
    ("banking", "phone", 0, ["polite_unresolved", "scripted_empathy"], [
        (C, "There are three payments on my card I never made."),
        (A, "Thank you for calling Meridian Bank. Your security is important to us."),
        (A, "I've opened a dispute. It can take up to eight weeks to reach a decision."),
        (C, "And the money?"),
        (A, "It stays off your balance until the decision. Thank you for your patience, have a "
            "great day."),
        (C, "ok. bye"),
    ]),
    ("subscriptions", "chat", 0, ["polite_unresolved"], [
        (C, "i cancelled last month but got charged again pls help"),
        (E, "Oh no, being charged after cancelling is so annoying, I'm sorry!"),
        (A, "I can't see a cancellation on the account, and refunds need the account owner to "
            "request them in writing."),
        (C, "i am the owner lol. whatever"),
        (A, "You'll need to email billing from the account address. Have a nice day!"),
    ]),
    ("utilities", "phone", 0, ["polite_unresolved"], [
        (C, "We've got no heating and it's minus two outside, I've got a baby."),
        (E, "Oh goodness, I'm so sorry, no heating in this cold with a baby must be really "
            "frightening."),
        (A, "The first engineer slot is Wednesday afternoon. I've put you on the cancellation "
            "list."),
        (C, "Wednesday... okay. Thank you for trying."),
        (E, "I really hope a slot comes up sooner for you. Stay warm."),
    ]),
    ("gaming", "chat", 0, ["polite_unresolved"], [
        (C, "someone hacked my acc and deleted my characters, 4 years of progress"),
        (E, "That's genuinely gutting, I'm so sorry, losing four years of progress would "
            "upset anyone."),
        (A, "I've passed it to the security team. Restores can take several weeks and I "
            "can't guarantee one."),
        (C, "thx i guess"),
    ]),
    ("hardware", "email", 0, ["polite_unresolved"], [
        (C, "Hello, my laptop won't start after the update and my dissertation is on it. It's "
            "due Friday."),
        (E, "Hi Sophie,\n\nI'm so sorry, that's a terrifying situation with a deadline this "
            "close. Unfortunately the warranty has expired, so I can't book a repair from here; "
            "please contact a local repair shop.\n\nKind regards,\nMark"),
        (C, "Okay, thank you for replying so quickly."),
    ]),
    # --- resolved but curt ---
    ("billing", "chat", 1, ["resolved_curt"], [
        (C, "I've been charged twice for my bill"),
        (A, "Account number."),
        (C, "88213"),
        (A, "Duplicate refunded. 3 days."),
        (C, "ok thanks"),
    ]),
    ("telco", "phone", 1, ["resolved_curt"], [
        (C, "hi yeah my sim isn't working since i got the new one"),
        (A, "Number?"),
        (C, "0 7 7 0 0 9 1 2 3 4 5"),
        (A, "Activated. Restart the phone."),
        (C, "oh yeah got signal now"),
        (A, "Bye."),
    ]),
    ("delivery", "chat", 1, ["resolved_curt", "blaming"], [
        (C, "My order is a week late and it's a birthday present!!"),
        (A, "You picked the economy option, so this is expected. Order number?"),
        (C, "55120"),
        (A, "Upgraded to next day. Arrives tomorrow before 1pm."),
        (C, "fine"),
    ]),
    ("saas", "email", 1, ["resolved_curt"], [
        (C, "Our export has been stuck at 0% for two days. We need it for an audit on "
            "Friday."),
        (A, "Restarted the job. Download link sent.\n\nSupport"),
        (C, "Got it, it downloaded fine."),
    ]),
    ("banking", "phone", 1, ["resolved_curt", "blaming"], [
        (C, "My card keeps getting declined and I've got money in there."),
        (A, "You used it abroad without telling us, so fraud blocked it. Date of birth."),
        (C, "Twelfth of March eighty-nine."),
        (A, "Block removed. Works now."),
        (C, "Okay it just went through on the app. Bye."),
    ]),
    ("returns", "social", 1, ["resolved_curt"], [
        (C, "@Modaline sent back a jacket 4 weeks ago still no refund"),
        (A, "DM order number."),
        (C, "done"),
        (A, "Refund processed. Confirmation emailed."),
    ]),
    ("travel", "chat", 1, ["resolved_curt", "boilerplate_apology"], [
        (C, "flight cancelled im stuck at the airport with 2 kids"),
        (A, "Sorry for the inconvenience. Booking reference?"),
        (C, "KX7PLM"),
        (A, "Rebooked on the 18:40 tonight. Boarding passes emailed. Vouchers at desk 4."),
        (C, "got them thx"),
        (A, "Anything else?"),
    ]),
    ("gaming", "chat", 1, ["resolved_curt"], [
        (C, "bought 5000 gems never got them"),
        (A, "Transaction ID."),
        (C, "GPA.3321-8812"),
        (A, "Added. Restart the game."),
        (C, "yep theyre there"),
    ]),
    ("utilities", "phone", 1, ["resolved_curt", "blaming"], [
        (C, "my prepay meter says emergency credit used and the top up won't go on"),
        (A, "You didn't key in the full code. Meter number."),
        (C, "M 4 4 8 1 9"),
        (A, "Remote top-up sent. Power's on."),
        (C, "yeah lights are back"),
    ]),
    ("insurance", "email", 1, ["resolved_curt"], [
        (C, "Dear Sir/Madam,\n\nMy renewal has gone up 60% and I have not claimed.\n\nRegards,"
            "\nTom"),
        (A, "Tom,\n\nNo-claims discount applied. New price £412. Documents updated.\n\n"
            "Harbour Insurance"),
    ]),
    # --- apology without empathy (boilerplate), both outcomes ---
    ("billing", "social", 0, ["boilerplate_apology"], [
        (C, "@Brightwave you've charged me twice AGAIN this is the third time"),
        (A, "Hello! We are sorry for the inconvenience. Please send your account number by "
            "private message."),
        (C, "already did last week and nothing happened"),
        (A, "Hello! We apologize for any inconvenience caused. Our billing team will check it "
            "for you."),
    ]),
    ("telco", "social", 0, ["boilerplate_apology"], [
        (C, "@Unitel internet down in the whole town for 6 hours, what are you doing??"),
        (A, "Hello! Sorry for the inconvenience. Our engineers are working on it, there is no "
            "time for the repair yet."),
        (C, "useless"),
    ]),
    ("delivery", "email", 1, ["boilerplate_apology"], [
        (C, "Hello,\n\nThe lamp arrived broken, the box was crushed.\n\nGrace"),
        (A, "Dear customer,\n\nWe apologize for any inconvenience caused. A replacement has "
            "been dispatched today, tracking number TR448120. You do not need to return the "
            "damaged item.\n\nKind regards,\nCustomer Services"),
        (C, "Thank you, the tracking works."),
    ]),
    ("returns", "chat", 0, ["boilerplate_apology", "sarcasm"], [
        (C, "the returns page just says error every time"),
        (A, "Apologies for the inconvenience. Sale items cannot be returned."),
        (C, "it wasnt a sale item"),
        (A, "Sorry about that. Our system shows it as a sale item, so the return can't be "
            "created."),
        (C, "wow great service"),
    ]),
    ("banking", "chat", 1, ["boilerplate_apology"], [
        (C, "my transfer to my landlord hasn't arrived, rent is due tomorrow"),
        (A, "Sorry for the wait. Let me check the transfer."),
        (A, "It was held for a routine check. I've released it and the receiving bank has "
            "confirmed it's credited."),
        (C, "landlord just said it's there. thanks"),
    ]),
    ("healthcare", "phone", 0, ["boilerplate_apology"], [
        (C, "i got sent to collections for a bill i already paid"),
        (A, "sorry for the inconvenience can i have your date of birth"),
        (C, "fourth of june seventy two"),
        (A, "ok the billing office will review it in thirty to forty five days until then the "
            "balance remains"),
        (C, "so i'm still in collections"),
        (A, "yes sorry about that is there anything else"),
    ]),
    ("subscriptions", "email", 1, ["boilerplate_apology"], [
        (C, "Hi, I can't find a way to cancel my membership anywhere in the app."),
        (A, "Hello,\n\nWe regret any inconvenience this may have caused. Your membership has "
            "been cancelled with no further payments. Confirmation number C88120.\n\n"
            "FitClub Support"),
    ]),
    # --- scripted empathy phrases (not warm, not personal) ---
    ("saas", "chat", 1, ["scripted_empathy"], [
        (C, "we were billed for 50 seats but we have 12 users"),
        (A, "Thank you for reaching out to us. I understand your concern."),
        (A, "I've corrected the seat count to 12 and refunded the difference. The updated "
            "invoice is on your billing page."),
        (C, "yes I see it, thanks"),
        (A, "Your satisfaction is important to us. Have a great day."),
    ]),
    ("insurance", "phone", 0, ["scripted_empathy", "polite_unresolved"], [
        (C, "My car claim's been open a month and I've got no car."),
        (A, "I understand your concern. We value you as a customer."),
        (A, "The claim needs an independent report, which can take up to six weeks."),
        (C, "Six more weeks? Okay, thanks I suppose."),
        (A, "Thank you for choosing Harbour Insurance."),
    ]),
    ("telco", "chat", 0, ["scripted_empathy"], [
        (C, "roaming charges of 80 pounds but I had the EU pass!!"),
        (A, "I appreciate you bringing this to our attention. Your call is important to us."),
        (A, "The pass only covers data, so these charges are correct."),
        (C, "that's not what the website says"),
        (A, "Thank you for your patience. Is there anything else?"),
    ]),
    ("utilities", "email", 1, ["scripted_empathy"], [
        (C, "Hello, the water pressure in our street has been very low for days."),
        (A, "Dear customer,\n\nThank you for contacting Aqualine Water. I'd be happy to assist "
            "you with that. A valve was left partially closed after works; we opened it this "
            "morning and pressure is back to normal.\n\nRegards"),
        (C, "Yes, it's normal again. Thanks."),
    ]),
    # --- sarcasm ---
    ("delivery", "chat", 0, ["sarcasm"], [
        (C, "oh wonderful, my parcel is 'delivered' and yet somehow not here. love that"),
        (A, "Well, that's a new one. The courier's GPS says it's at your door."),
        (C, "great so the GPS is right and I'm wrong"),
        (A, "You'll need to contact the courier directly."),
        (C, "Thanks so much, really helpful."),
    ]),
    ("gaming", "chat", 0, ["sarcasm"], [
        (C, "banned for cheating lol. I've never cheated in my life"),
        (A, "Sure, because nobody who cheats ever says that. Bans are final."),
        (C, "amazing customer service. 10/10"),
    ]),
    ("subscriptions", "social", 1, ["sarcasm"], [
        (C, "@StreamBox great, paid yesterday and you say my plan expired. fantastic"),
        (E, "Hello! Oh no, that's so frustrating after you've just paid, I'm sorry. Could you "
            "DM us the email on the account?"),
        (C, "sent"),
        (A, "Hello! Your payment wasn't linked to the plan. We've linked it and your premium "
            "access is active again."),
        (C, "ok it works. cheers"),
    ]),
    ("telco", "phone", 1, ["sarcasm"], [
        (C, "oh brilliant, third time calling about the same broadband drop, love spending my "
            "evenings with you"),
        (E, "I really don't blame you for being fed up, three calls about the same problem is "
            "exhausting. I'm sorry."),
        (A, "I've found a fault at the exchange and reset your port; the line test passes "
            "now."),
        (C, "ok yeah it's been solid for five minutes which is a record"),
        (A, "Have a good evening."),
    ]),
    ("travel", "social", 0, ["sarcasm", "boilerplate_apology"], [
        (C, "@Aerolink thanks for losing my bag, really making my holiday"),
        (A, "Hello! We are sorry for the inconvenience. Please file a report at the baggage "
            "desk."),
        (C, "already did. still no bag. superb"),
    ]),
    # --- customer thanks before the fix fails ---
    ("saas", "chat", 0, ["thanks_before_fail"], [
        (C, "SSO login is broken for our whole company"),
        (A, "I've reverted a permissions change on your domain, try now."),
        (C, "thanks!!"),
        (C, "wait no, still 403 for everyone"),
        (A, "Then it's your identity provider, your IT team will need to look at it."),
        (C, "ok"),
    ]),
    ("banking", "phone", 0, ["thanks_before_fail"], [
        (C, "I'm locked out of online banking after resetting my password."),
        (E, "I'm sorry, being locked out of your own money is really unsettling. Let me help."),
        (A, "I've sent a reset link to your email."),
        (C, "Oh great, thank you so much!"),
        (C, "Hmm, the link says expired already."),
        (A, "For security I can't send another one today. You'll need to visit a branch with "
            "photo ID."),
        (C, "Okay. Thanks anyway."),
    ]),
    ("hardware", "chat", 0, ["thanks_before_fail"], [
        (C, "printer says cartridge not recognised, its a brand new one"),
        (A, "Sending a firmware update now, give it a minute."),
        (C, "Perfect, thanks!"),
        (C, "nope. still not recognised"),
        (A, "Then it's probably a third-party cartridge, which isn't supported."),
    ]),
    ("subscriptions", "chat", 0, ["thanks_before_fail"], [
        (C, "streaming buffers on everything"),
        (E, "Ugh, that's so annoying when you just want to relax and watch something. Sorry!"),
        (A, "I've reset your profile, try a show now."),
        (C, "thx!! that's brilliant"),
        (C, "wait, no, it's buffering again"),
        (A, "It may be your internet speed then, you'd need to contact your provider."),
        (C, "right"),
    ]),
    ("utilities", "phone", 0, ["thanks_before_fail"], [
        (C, "my top up isn't going on the meter"),
        (A, "I've sent a remote top-up, it should appear in a minute."),
        (C, "amazing, thank you"),
        (C, "oh hang on it's still showing zero credit"),
        (A, "I'll raise a ticket with the metering team, they'll call you within 48 hours."),
    ]),
    # --- recovered: first attempt fails, second works ---
    ("gaming", "chat", 1, ["recovered"], [
        (C, "paid for the season pass, still locked"),
        (A, "Try logging out and back in."),
        (C, "still locked"),
        (E, "I'm really sorry, you've paid and you're missing the event, that's rubbish. "
            "I'll sort it properly."),
        (A, "I've unlocked the pass directly on your account."),
        (C, "its there now! thanks"),
    ]),
    ("delivery", "phone", 1, ["recovered", "asr_errors"], [
        (C, "yeah hi my parcel says delivered but its not hear i checked with the neighbours"),
        (A, "ok can i have the order number"),
        (C, "its five five one two oh"),
        (A, "the courier says it was left in a safe place have you checked the bins"),
        (C, "yes it's not there"),
        (A, "ok i've sent a replacement by express it arrives tomorrow the tracking is in your "
            "email"),
        (C, "right yeah i've got the email thanks"),
    ]),
    # --- chat shorthand ---
    ("telco", "chat", 1, ["chat_shorthand"], [
        (C, "hi my net keeps dropping every 10 mins pls help, wfh tmrw"),
        (E, "Oh no, that's such a pain when you're working from home tomorrow, I'm sorry!"),
        (A, "I've pushed a firmware update and changed the channel, can u check?"),
        (C, "looks good now thx"),
        (C, "still good after 15 min. ty!"),
    ]),
    ("returns", "chat", 0, ["chat_shorthand"], [
        (C, "hey u guys still havent refunded me 4 my return, been 3 wks"),
        (A, "Order number pls."),
        (C, "#88124"),
        (A, "We haven't received it yet. Ask the post office to trace it."),
        (C, "omg. ok thx"),
    ]),
    ("subscriptions", "chat", 1, ["chat_shorthand"], [
        (C, "how do i cancel?? cant find it anywhere n u charged me again"),
        (E, "I'm sorry, going round in circles trying to cancel and then getting charged is "
            "really frustrating."),
        (A, "Done: cancelled and this month's payment refunded, confirmation is in ur email."),
        (C, "got it ty"),
    ]),
    # --- ASR-error transcripts ---
    ("billing", "phone", 1, ["asr_errors"], [
        (C, "hi yeah i've been charge twice for my bell this month"),
        (E, "oh no i'm really sorry that's so stressful being charged twice when you're not "
            "expecting it"),
        (A, "let me pull up the a count can i have the number"),
        (C, "its four four eight one nine"),
        (A, "ok i've refunded the duplicate payment you'll see it in three days and you'll get "
            "an email now"),
        (C, "oh great yeah the email just came through"),
    ]),
    ("telco", "phone", 0, ["asr_errors"], [
        (C, "um yeah i got no signal since the new sim card a rived"),
        (A, "okay what's the number on the a count"),
        (C, "oh seven seven double oh nine one two"),
        (A, "it can take up to seventy two hours to activate so you need to wait and call back "
            "if it still doesn't work"),
        (C, "okay i'll wait then thanks bye"),
    ]),
    ("insurance", "phone", 1, ["asr_errors"], [
        (C, "hello i'm calling about my claim for the burst pipe it's been six weeks"),
        (E, "i'm so sorry living with water damage that long must be miserable for you"),
        (A, "good news your claim was approved today and the payment has been cent you'll get "
            "the settlement letter by email"),
        (C, "oh thank god thank you"),
    ]),
    ("healthcare", "phone", 0, ["asr_errors"], [
        (C, "i need to re schedule my mums scan the website keeps failing"),
        (E, "of course i'm sorry i know sorting things for your mum can be really stressful"),
        (A, "re scheduling has to go through the g p so you'll need to ask them for a new "
            "referral"),
        (C, "oh okay so i can't do it with you"),
        (A, "no sorry have a good day"),
    ]),
    ("travel", "phone", 1, ["asr_errors"], [
        (C, "hi i booked the wrong dates for my hotel can i move them"),
        (A, "booking reference"),
        (C, "k x seven p l m"),
        (A, "done moved to the fourteenth to seventeenth no charge new confirmation's in your "
            "in box"),
        (C, "yeah got it cheers"),
    ]),
    # --- wrong fix ---
    ("returns", "email", 0, ["wrong_fix"], [
        (C, "Hi, I returned shoes (order 55213) but you refunded the wrong order."),
        (A, "Hello,\n\nI've refunded order 55231 for you, that should be everything.\n\n"
            "Thanks,\nLuke"),
        (C, "That's the wrong order number again. The shoes are 55213 and they're still not "
            "refunded."),
    ]),
    ("banking", "chat", 0, ["wrong_fix"], [
        (C, "someone used my card, 3 payments I never made"),
        (E, "That's really frightening, I'm so sorry, let's protect your account first."),
        (A, "I've cancelled your card and ordered a new one."),
        (C, "ok but what about the money?"),
        (A, "For the payments you'd need to open a dispute, which can take eight weeks."),
        (C, "so I'm still out of pocket"),
    ]),
    # --- empathetic and resolved, warm close ---
    ("healthcare", "chat", 1, [], [
        (C, "I got a bill for a visit that my insurance was supposed to cover and I'm really "
            "worried about money right now"),
        (E, "I'm so sorry, an unexpected bill when money's already a worry is really "
            "stressful. Let me look."),
        (A, "The claim went out with the wrong code. I've resubmitted it and cleared your "
            "balance."),
        (C, "oh thank you, I can see £0 now"),
        (E, "I'm so glad. I hope that takes a weight off, take care of yourself."),
    ]),
    ("hardware", "phone", 1, [], [
        (C, "My phone keeps restarting and my dad's in hospital, I need it working."),
        (E, "Oh, I'm so sorry about your dad, that's a lot to deal with, and you need your "
            "phone right now. Let's get it going."),
        (A, "I've booked a same-day repair at the store at 3pm, confirmed, and they'll keep "
            "your data."),
        (C, "Thank you, that really helps."),
    ]),
    ("insurance", "chat", 1, ["blaming"], [
        (C, "why did my premium jump 60%"),
        (A, "That's in the renewal letter you were sent."),
        (C, "i've had no claims though"),
        (E, "You're right, and I'm sorry, that's a horrible surprise to open. I can see the "
            "no-claims discount was missing."),
        (A, "I've applied it and renewed at last year's price. The documents are in your "
            "account."),
        (C, "brilliant thank you"),
    ]),
    ("saas", "phone", 0, ["blaming"], [
        (C, "Our dashboards show no data since your update."),
        (A, "Nothing's wrong on our side. It's a known bug, a fix is planned for next month."),
        (C, "Next month? We report to the board on Friday."),
        (A, "That's the release schedule."),
    ]),
    ("gaming", "social", 0, [], [
        (C, "@Questline my account got banned and I've never cheated, I'm so upset"),
        (E, "Hello! We're really sorry, being banned when you play fair must feel awful. "
            "We've passed your account to the review team."),
        (C, "Thank you! Hope it's soon."),
        (A, "Hello! Reviews take up to 30 days; we can't speed them up."),
    ]),
    ("utilities", "chat", 1, [], [
        (C, "water leak outside my house for a week now"),
        (E, "A whole week of watching water run down the street, that's so frustrating, I'm "
            "sorry."),
        (A, "The crew repaired the main this morning and the job is closed."),
        (C, "oh yes I can see they've filled the hole. thanks"),
        (A, "Thanks for contacting us. Anything else?"),
        (C, "no that's all"),
    ]),
    ("billing", "email", 0, ["polite_unresolved"], [
        (C, "Hello,\n\nMy bill is three times what it normally is. Nothing has changed at "
            "home.\n\nThanks,\nKwame"),
        (A, "Hi Kwame,\n\nThank you for your email. I have checked the account and the amount "
            "is correct according to our records, so it has to be paid as billed.\n\n"
            "Have a great weekend,\nLucy"),
        (C, "Thanks Lucy, have a great weekend too."),
    ]),
    ("travel", "chat", 1, ["resolved_curt"], [
        (C, "my connection got cancelled and nobody at the gate can help"),
        (A, "Ref?"),
        (C, "QZ81MN"),
        (A, "First flight tomorrow 7am confirmed. Hotel booked near the airport. Details "
            "emailed."),
        (C, "ok got it"),
    ]),
]
