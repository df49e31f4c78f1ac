import NotifyCore
import SMSPartner
import Testing

/// The reply grammar: verbs and codes in either order, case, spacing, punctuation, comments,
/// codes that are not codes, STOP and HELP; and the code alphabet.
@Suite struct ReplyCommandTests {
    static let table: [(String, ReplyCommand)] = [
        // Acknowledge, code after or before, any case.
        ("ACK 4F", .ack(code: "4F", comment: nil)),
        ("ack 4f", .ack(code: "4F", comment: nil)),
        ("Ack 4F", .ack(code: "4F", comment: nil)),
        ("4F ACK", .ack(code: "4F", comment: nil)),
        ("4f ok", .ack(code: "4F", comment: nil)),
        ("OK 4F", .ack(code: "4F", comment: nil)),
        ("ok zz", .ack(code: "ZZ", comment: nil)),
        ("ACK 29", .ack(code: "29", comment: nil)),
        // Odd spacing.
        ("  ACK    4F  ", .ack(code: "4F", comment: nil)),
        ("\tack\n4f\r\n", .ack(code: "4F", comment: nil)),
        ("ACK\u{00A0}4F", .ack(code: "4F", comment: nil)),
        // What the SMS ends with, `#` and `:` before the code, punctuation around words.
        ("ack:4F", .ack(code: "4F", comment: nil)),
        ("ACK: 4F", .ack(code: "4F", comment: nil)),
        ("ack : 4f", .ack(code: "4F", comment: nil)),
        ("#4F ack", .ack(code: "4F", comment: nil)),
        ("ack #4F", .ack(code: "4F", comment: nil)),
        ("ack#4F", .ack(code: "4F", comment: nil)),
        ("ACK 4F.", .ack(code: "4F", comment: nil)),
        ("ACK 4F!!", .ack(code: "4F", comment: nil)),
        ("\"ack 4F\"", .ack(code: "4F", comment: nil)),
        ("(4F) ok.", .ack(code: "4F", comment: nil)),
        ("- ACK - 4F -", .ack(code: "4F", comment: nil)),
        // Comments, as written, whitespace runs as one space.
        ("ACK 4F on it, rebooting", .ack(code: "4F", comment: "on it, rebooting")),
        ("ACK 4F, on it", .ack(code: "4F", comment: "on it")),
        ("ack:4F - Rebooting NOW!", .ack(code: "4F", comment: "Rebooting NOW!")),
        ("4F OK   looking\n into   it", .ack(code: "4F", comment: "looking into it")),
        ("OK 4F 👍", .ack(code: "4F", comment: "👍")),
        ("ACK 4F ACK 5G", .ack(code: "4F", comment: "ACK 5G")),
        // Bare acknowledgements: the latest open alert sent to that number.
        ("ACK", .ack(code: nil, comment: nil)),
        ("ok", .ack(code: nil, comment: nil)),
        ("OK!", .ack(code: nil, comment: nil)),
        (" Ack. ", .ack(code: nil, comment: nil)),
        ("OK 👍", .ack(code: nil, comment: nil)),
        // Close: a code is required.
        ("CLOSE 4F", .close(code: "4F", comment: nil)),
        ("resolve 4f", .close(code: "4F", comment: nil)),
        ("4F close fixed the disk", .close(code: "4F", comment: "fixed the disk")),
        ("Resolve:#4F done.", .close(code: "4F", comment: "done.")),
        ("CLOSE", .unknown("CLOSE")),
        ("resolve it", .unknown("resolve it")),
        // Help, STOP.
        ("HELP", .help),
        ("help me", .help),
        ("Help?", .help),
        ("STOP", .stop),
        ("stop sms", .stop),
        ("Arrêt", .stop),
        ("UNSUBSCRIBE", .stop),
        ("STOP 4F", .stop),
        // Not codes: confusable or excluded characters, wrong length.
        ("ACK 4O", .unknown("ACK 4O")),
        ("ACK 40", .unknown("ACK 40")),
        ("ack i5", .unknown("ack i5")),
        ("ack L2", .unknown("ack L2")),
        ("ACK 1A", .unknown("ACK 1A")),
        ("ACK UU", .unknown("ACK UU")),
        ("ACK 4", .unknown("ACK 4")),
        ("ACK 4FF", .unknown("ACK 4FF")),
        ("ACK é4", .unknown("ACK é4")),
        // Anything else.
        ("", .unknown("")),
        ("   ", .unknown("   ")),
        ("?!", .unknown("?!")),
        ("4F", .unknown("4F")),
        ("4F thanks", .unknown("4F thanks")),
        ("ACK on it", .unknown("ACK on it")),
        ("ok thanks", .unknown("ok thanks")),
        ("thanks", .unknown("thanks")),
        ("ACKNOWLEDGE 4F", .unknown("ACKNOWLEDGE 4F")),
        ("ACK4F", .unknown("ACK4F")),
        ("okay", .unknown("okay")),
        ("please ack 4F", .unknown("please ack 4F")),
    ]

    @Test func theTableHasEnoughCases() {
        #expect(Self.table.count >= 40)
        #expect(Set(Self.table.map(\.0)).count == Self.table.count, "no case twice")
    }

    @Test(arguments: Self.table)
    func eachReplyReads(_ text: String, _ expected: ReplyCommand) {
        #expect(ReplyCommand.parse(text) == expected, "\(text.debugDescription)")
    }

    @Test func theAlphabetLeavesOutConfusableCharacters() {
        #expect(ReplyCode.alphabet.count == 30)
        #expect(Set(ReplyCode.alphabet).count == ReplyCode.alphabet.count)
        #expect(!ReplyCode.alphabet.contains(where: { "01ILOU".contains($0) }))
        #expect(ReplyCode.alphabet.allSatisfy { ("2"..."9").contains($0) || ("A"..."Z").contains($0) })
    }

    @Test func codesAreTwoCharactersOfTheAlphabetInUpperCase() {
        var all = 0
        for first in ReplyCode.alphabet {
            for second in ReplyCode.alphabet {
                let code = String([first, second])
                #expect(ReplyCode.isValid(code))
                #expect(ReplyCode.normalized(code.lowercased()) == code)
                #expect(ReplyCommand.parse("ack " + code.lowercased()) == .ack(code: code, comment: nil))
                all += 1
            }
        }
        #expect(all == 900)
        for notACode in ["4f", "4O", "O4", "01", "IL", "UU", "4", "4FF", "", " 4F", "4F ", "OK", "ÉA"] {
            #expect(!ReplyCode.isValid(notACode), "\(notACode)")
        }
        #expect(ReplyCode.normalized(" 4f") == nil, "normalising does not trim")
        #expect(ReplyCode.normalized("ok") == nil, "OK is never a code")
    }

    @Test func stopIsWhatTheCallbackCallsAStop() {
        for text in ["STOP", "stop please", "ARRET", "unsubscribe!", "ACK 4F", "stopped", "help"] {
            #expect((ReplyCommand.parse(text) == .stop) == ReplyCallback.isStopText(text), "\(text)")
        }
    }

    /// The replier an acknowledgement's comment names, as the reply wrote it (a source may notify
    /// the ACKNOWLEDGEMENT before the reply is recorded as acked).
    @Test func theRepliersSignatureIsReadBack() {
        #expect(ReplyHandler.replier(signing: "ACK on it (SMS from +33600000001)") == "+33600000001")
        #expect(ReplyHandler.replier(signing: "ACK (SMS from +33600000001)") == "+33600000001")
        #expect(ReplyHandler.replier(signing: "on it (SMS from +33600000001) later") == nil)
        #expect(ReplyHandler.replier(signing: "ACK (SMS from +nobody)") == nil)
        #expect(ReplyHandler.replier(signing: "looking into it") == nil)
    }

    /// The sender as either shape writes it: `+33…` (short number) or `33…` (a long number's msisdn).
    @Test func theSenderIsReadInEitherShape() {
        #expect(ReplyHandler.sender("+33612345678")?.e164 == "+33612345678")
        #expect(ReplyHandler.sender("33612345678")?.e164 == "+33612345678")
        #expect(ReplyHandler.sender("0612345678")?.e164 == "+33612345678")
        #expect(ReplyHandler.sender("447700900123")?.e164 == "+447700900123")
        #expect(ReplyHandler.sender("SMSPARTNER") == nil)
        #expect(ReplyHandler.sender("") == nil)
    }
}
