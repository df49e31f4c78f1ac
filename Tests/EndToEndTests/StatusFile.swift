import Foundation

/// The blocks of a Nagios `status.dat` (`hoststatus {`, `servicestatus {`, `servicecomment {` …),
/// each as its `key=value` fields; empty while the file does not exist.
struct StatusFile {
    private let text: String

    init(path: String) {
        text = DaemonLog.text(of: path)
    }

    /// Every block of `kind`, in order.
    func blocks(_ kind: String) -> [[String: String]] {
        text.components(separatedBy: "\n" + kind + " {").dropFirst().map { block in
            var fields: [String: String] = [:]
            for line in block.split(separator: "\n") {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed == "}" { break }
                guard let equals = trimmed.firstIndex(of: "=") else { continue }
                fields[String(trimmed[..<equals])] = String(trimmed[trimmed.index(after: equals)...])
            }
            return fields
        }
    }

    func host(_ name: String) -> [String: String]? {
        blocks("hoststatus").first { $0["host_name"] == name }
    }

    func service(_ host: String, _ service: String) -> [String: String]? {
        blocks("servicestatus").first { $0["host_name"] == host && $0["service_description"] == service }
    }
}
