import AlertModel

/// `send`'s arguments read without ArgumentParser, in the common case.
///
/// Nagios and Icinga start `send` once per notification and contact, a storm hundreds of
/// times at once, and ArgumentParser's parse was the largest part of a `send`'s own start
/// (about 2 ms of reflection: `Mirror` and the protocol-conformance scans of every property
/// wrapper's type, 14 % of the samples of a profile of one-shot `send`s); so was making
/// `SendCommand`'s property wrappers at all (4 %), which this type has none of.
///
/// This reads the plain forms of `send`'s own options, and nothing else: anything it does
/// not know for sure (`--help`, `--version`, a short name, an unknown or repeated option, a
/// value that starts with `-` or is empty after `=`, a value that does not convert, a failed
/// validation) makes it give up, and ArgumentParser parses the same arguments, with its own
/// messages and exit codes.
///
/// `SendInvocationQuickParseTests` checks that it knows exactly `send`'s options, and that
/// both parsers agree on every argument list they both take.
extension SendInvocation {
    /// Sets one option from its value; false when the value does not convert.
    typealias QuickSetter = @Sendable (inout SendInvocation, String) -> Bool

    /// Every option of `send` by its long name, with how it is set.
    static let quickSetters: [String: QuickSetter] = [
        "to": { $0.to.append($1); return true },
        "format": { command, value in
            guard let format = InputFormat(rawValue: value) else { return false }
            command.format = format
            return true
        },
        "notification-type": { $0.notificationType = $1; return true },
        "host": { $0.host = $1; return true },
        "host-state": { $0.hostState = $1; return true },
        "service": { $0.service = $1; return true },
        "service-state": { $0.serviceState = $1; return true },
        "output": { $0.output = $1; return true },
        "author": { $0.author = $1; return true },
        "comment": { $0.comment = $1; return true },
        "message": { $0.message = $1; return true },
        "dedup-key": { $0.dedupKey = $1; return true },
        "escalation": { $0.escalation = $1; return true },
        "timeout": { command, value in
            guard let seconds = Int(value) else { return false }
            command.timeout = seconds
            return true
        },
        "config": { $0.config = $1; return true },
        "state-dir": { $0.stateDir = $1; return true },
    ]

    /// The flags of `send`, by long name.
    static let quickFlags: [String: @Sendable (inout SendInvocation) -> Void] = [
        "dry-run": { $0.dryRun = true },
    ]

    /// The invocation `arguments` (those after `send`) give, or nil when ArgumentParser must
    /// read them (see the type's discussion).
    static func quickParse(_ arguments: [String]) -> SendInvocation? {
        var invocation = SendInvocation()
        var seen: Set<String> = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--"), argument.count > 2 else { return nil }
            var name = String(argument.dropFirst(2))
            var value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
                // ArgumentParser refuses `--host=` (it takes `--host ""`).
                guard value?.isEmpty == false else { return nil }
            }
            // `--to` may repeat; a repeated single option or flag is left to ArgumentParser.
            guard name == "to" || seen.insert(name).inserted else { return nil }
            if let flag = quickFlags[name] {
                guard value == nil else { return nil }
                flag(&invocation)
                continue
            }
            guard let set = quickSetters[name] else { return nil }
            if value == nil {
                guard index < arguments.endIndex else { return nil }
                value = arguments[index]
                index += 1
            }
            guard let value, !value.hasPrefix("-"), set(&invocation, value) else { return nil }
        }
        do {
            try invocation.validate()
        } catch {
            return nil
        }
        return invocation
    }
}
