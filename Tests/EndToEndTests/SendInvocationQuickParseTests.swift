import ArgumentParser
import SeededRandom
import Testing
@testable import smspartner_notify

/// `send`'s quick parse (SendInvocation+QuickParse) against ArgumentParser: it knows exactly
/// `send`'s options, takes the command lines Nagios and Icinga run, gives up on anything
/// unusual, and never reads an argument list otherwise than ArgumentParser.
@Suite("send: the quick parse agrees with ArgumentParser")
struct SendInvocationQuickParseTests {
    /// `_notificationType` → `notification-type`, as ArgumentParser names a `.long` option.
    static func longName(_ label: String) -> String {
        var name = ""
        for character in label.drop(while: { $0 == "_" }) {
            if character.isUppercase { name += "-" + character.lowercased() } else { name.append(character) }
        }
        return name
    }

    /// The long names of `send`'s options and flags, as ArgumentParser declares them.
    static func declaredNames() -> [String] {
        var names: [String] = []
        for child in Mirror(reflecting: SendCommand()).children {
            if child.value is OptionGroup<StateOptions> {
                names += Mirror(reflecting: StateOptions()).children.compactMap(\.label).map(longName)
            } else if let label = child.label {
                names.append(longName(label))
            }
        }
        return names.sorted()
    }

    @Test("an invocation's defaults are what ArgumentParser leaves when nothing is given")
    func defaultsAreArgumentParsers() throws {
        #expect(SendInvocation() == (try SendCommand.parse([])).invocation)
        #expect(SendInvocation.quickParse([]) == SendInvocation())
    }

    @Test("it knows every option and flag of send, and no other; the invocation has one property each")
    func knowsExactlySendsOptions() {
        let declared = Self.declaredNames()
        let known = Array(SendInvocation.quickSetters.keys) + Array(SendInvocation.quickFlags.keys)
        #expect(declared == known.sorted())
        #expect(declared == Mirror(reflecting: SendInvocation()).children.compactMap(\.label).map(Self.longName).sorted())
        #expect(declared.count == 17)
    }

    @Test("the command lines of contrib/ take the quick path and read as ArgumentParser reads them")
    func contribCommandLinesTakeTheQuickPath() throws {
        let lines: [[String]] = [
            ["--to", "+33612345678", "--notification-type", "PROBLEM", "--host", "web01", "--host-state", "UP",
             "--service", "HTTP", "--service-state", "CRITICAL", "--output", "Connection refused", "--author", "", "--comment", ""],
            ["--to", "0612345678,0698765432", "--notification-type", "RECOVERY", "--host", "db1", "--host-state", "UP",
             "--output", "PING OK - Packet loss = 0%", "--author", "alice", "--comment", "on it"],
            ["--format", "nagios"],
            ["--format=alertmanager", "--to=+33600000000", "--timeout=30", "--dry-run"],
            ["--to", "+33600000000", "--message", "disk full", "--dedup-key", "k1", "--config", "/etc/x.yml", "--state-dir", "/tmp/s"],
            [],
        ]
        for arguments in lines {
            let quick = try #require(SendInvocation.quickParse(arguments), "\(arguments)")
            #expect(quick == (try SendCommand.parse(arguments)).invocation, "\(arguments)")
        }
    }

    @Test("anything unusual is left to ArgumentParser")
    func theUnusualIsLeftToArgumentParser() {
        let unusual: [[String]] = [
            ["--help"], ["-h"], ["--version"], ["help"], ["positional"], ["-"], ["--"],
            ["--host", "a", "--host", "b"], ["--dry-run", "--dry-run"], ["--dry-run=yes"],
            ["--host"], ["--host", "--service", "x"], ["--message", "-5 degrees"], ["--message=-x"], ["--host="],
            ["--format", "xml"], ["--timeout", "ten"], ["--timeout", "0"], ["--timeout", "3601"],
            ["--dedup-key", "  "], ["--unknown", "x"], ["--To", "+33600000000"], ["---to", "x"],
        ]
        for arguments in unusual {
            #expect(SendInvocation.quickParse(arguments) == nil, "\(arguments)")
        }
    }

    /// Random argument lists from `send`'s own vocabulary (and some that is not): whenever the
    /// quick parse takes one, ArgumentParser takes it too and reads the same command.
    @Test("on random argument lists, whatever the quick parse reads ArgumentParser reads the same")
    func randomArgumentListsReadTheSame() throws {
        var random = SplitMix64(seed: 0x5E_4D_C0_FF_EE)
        let names = Array(SendInvocation.quickSetters.keys).sorted() + ["dry-run", "help", "bogus", "to", "to"]
        let values = ["", "x", "web01", "+33600000000", "0612345678,+33698765432", "-1", "15", "0", "nagios", "auto",
                      "a=b", "PROBLEM", "é ü 🚨", "  ", "--", "3600"]
        var taken = 0
        for _ in 0..<2_000 {
            var arguments: [String] = []
            for _ in 0..<Int.random(in: 0...6, using: &random) {
                let name = names.randomElement(using: &random) ?? "to"
                let value = values.randomElement(using: &random) ?? ""
                switch Int.random(in: 0..<10, using: &random) {
                case 0: arguments.append("--\(name)=\(value)")
                case 1: arguments.append("--\(name)")
                case 2: arguments.append(value)
                default: arguments += ["--\(name)", value]
                }
            }
            guard let quick = SendInvocation.quickParse(arguments) else { continue }
            taken += 1
            let parsed = try #require(try? SendCommand.parse(arguments), "ArgumentParser refuses \(arguments)")
            #expect(quick == parsed.invocation, "\(arguments)")
        }
        // The comparison means something only if many lists took the quick path.
        #expect(taken > 200, "\(taken) of 2,000 took the quick path")
    }
}
