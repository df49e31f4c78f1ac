import AlertModel
import Mustache
import Synchronization

/// The Mustache templates in use: the built-in ones, overridden by the configuration's
/// `templates:` entries.
///
/// A template is chosen by name, most specific first, in the configuration and then among
/// the built-ins: `SOURCE-SUBJECT-KIND`, `SOURCE-SUBJECT`, `SOURCE-KIND`, `SOURCE`, `KIND`,
/// `default`, where
/// - SOURCE is `nagios`, `icinga`, `alertmanager` or `generic`;
/// - SUBJECT is `service` or `host` (Nagios, Icinga, generic alerts naming them), `alert` or
///   `group` (Alertmanager: one alert, several), `text` (a generic alert without host or service);
/// - KIND is `problem` (also Alertmanager `firing`), `recovery` (also `resolved`),
///   `acknowledgement`, `flappingstart`, `flappingstop`, `flappingdisabled`, `downtimestart`,
///   `downtimeend`, `downtimecancelled` or `custom`.
///
/// Templates render plain text (no HTML escaping); runs of spaces collapse and blank lines
/// are dropped afterwards, so an absent optional value leaves no gap.
public struct TemplateSet: Sendable, Equatable {
    /// A template and where it came from.
    public struct Entry: Sendable {
        public var name: String
        public var source: String
        /// `built-in` or `config`.
        public var origin: String
        /// A configuration's template, compiled when the configuration was read (so a
        /// template that does not parse is refused then); nil for a built-in.
        let compiled: MustacheTemplate?

        /// The compiled template. A built-in is compiled the first time it is used: a
        /// one-shot `send` renders with one template and has no use for the others.
        var template: MustacheTemplate? {
            compiled ?? TemplateSet.compiledBuiltIn(source)
        }
    }

    var entries: [String: Entry]

    /// Two sets are equal when they hold the same texts under the same names.
    public static func == (lhs: TemplateSet, rhs: TemplateSet) -> Bool {
        lhs.entries.mapValues { "\($0.origin)\u{0}\($0.source)" } == rhs.entries.mapValues { "\($0.origin)\u{0}\($0.source)" }
    }

    /// The built-in templates only.
    public static let builtIn: TemplateSet = {
        var entries: [String: Entry] = [:]
        for (name, source) in builtInSources {
            entries[name] = Entry(name: name, source: source, origin: "built-in", compiled: nil)
        }
        return TemplateSet(entries: entries)
    }()

    /// The built-ins compiled so far, by text (several names share one text).
    private static let builtInCache = Mutex<[String: MustacheTemplate]>([:])

    /// A built-in template's text compiled, once per process (MessageRendererTests compiles
    /// every built-in, so none of them fails here).
    static func compiledBuiltIn(_ source: String) -> MustacheTemplate? {
        builtInCache.withLock { cache in
            if let template = cache[source] { return template }
            let template = try? compile(source)
            cache[source] = template
            return template
        }
    }

    /// The built-in templates' texts, by name.
    public static let builtInSources: [(String, String)] = [
        ("service", single),
        ("host", single),
        ("generic-service", single + "{{#details}}\n{{details}}{{/details}}"),
        ("generic-host", single + "{{#details}}\n{{details}}{{/details}}"),
        ("generic-text", "{{#type}}{{type}} {{/type}}{{message}}{{#details}}\n{{details}}{{/details}}"),
        ("alertmanager-alert", "{{type}} {{alertname}}{{#host}} {{host}}{{/host}}{{#severity}} {{severity}}{{/severity}}{{#labels_text}} {{labels_text}}{{/labels_text}}{{#message}}: {{message}}{{/message}}{{#details}} {{details}}{{/details}}"),
        ("alertmanager-group", "{{type}} [{{count_text}}]{{#common_text}} {{common_text}}{{/common_text}}{{#alerts}}\n{{brief}}{{/alerts}}{{#more}}\n+{{more}} more{{/more}}"),
        ("default", single),
    ]

    /// `PROBLEM web01/HTTP CRITICAL: Connection refused`, `ACKNOWLEDGEMENT web01/HTTP CRITICAL by alice: on it`.
    static let single = "{{type}}{{#target}} {{target}}{{/target}}{{#state}} {{state}}{{/state}}{{#author}} by {{author}}{{/author}}{{#message}}: {{message}}{{/message}}"

    /// The subjects and kinds that names are made of.
    public static let sources = Alert.Source.allCases.map(\.rawValue)
    public static let subjects = ["service", "host", "alert", "group", "text"]
    public static let kinds = NotificationKind.allCases.filter { $0 != .other }.map { $0.nagiosName.lowercased() }

    /// Every name a configuration may define.
    public static let validNames: Set<String> = {
        var names: Set<String> = ["default"]
        for kind in kinds { names.insert(kind) }
        for source in sources {
            names.insert(source)
            for kind in kinds { names.insert("\(source)-\(kind)") }
            for subject in subjects {
                names.insert("\(source)-\(subject)")
                for kind in kinds { names.insert("\(source)-\(subject)-\(kind)") }
            }
        }
        return names
    }()

    /// The built-ins overridden by `templates` (name → Mustache text).
    ///
    /// Throws ``TemplateError`` for an unknown name or a template that does not parse.
    public init(overrides templates: [(name: String, text: String)]) throws(TemplateError) {
        var entries = Self.builtIn.entries
        for (name, text) in templates {
            guard Self.validNames.contains(name) else { throw .unknownName(name) }
            do {
                entries["config:" + name] = Entry(name: name, source: text, origin: "config", compiled: try Self.compile(text))
            } catch let error as MustacheTemplate.ParserError {
                // Column numbers count the pragma that compile(_:) puts before line 1.
                let line = error.context.lineNumber
                let column = error.context.columnNumber - (line == 1 ? Self.pragma.count : 0)
                throw .invalid(name: name, reason: "\(error.error) at line \(line), column \(max(1, column))")
            } catch {
                throw .invalid(name: name, reason: "\(error)")
            }
        }
        self.entries = entries
    }

    init(entries: [String: Entry]) {
        self.entries = entries
    }

    /// Makes a template render plain text instead of HTML-escaped text.
    static let pragma = "{{% CONTENT_TYPE: TEXT}}"

    /// Compiles a template that renders plain text.
    static func compile(_ text: String) throws -> MustacheTemplate {
        try MustacheTemplate(string: pragma + text)
    }

    /// The subject of a notification, for template names.
    static func subject(of notification: Notification) -> String {
        guard let alert = notification.alerts.first else { return "text" }
        switch alert.source {
        case .alertmanager: return notification.alerts.count + notification.truncatedAlerts > 1 ? "group" : "alert"
        case .generic where alert.host == nil && alert.service == nil: return "text"
        default: return alert.isServiceAlert ? "service" : "host"
        }
    }

    /// The names tried for `notification`, most specific first.
    static func candidates(for notification: Notification) -> [String] {
        let source = notification.source.rawValue
        let subject = subject(of: notification)
        let kindValue = notification.alerts.count == 1
            ? notification.alerts[0].kind : NotificationKind(notification.status)
        let kind = kindValue == .other ? nil : kindValue.nagiosName.lowercased()
        var names: [String] = []
        if let kind { names.append("\(source)-\(subject)-\(kind)") }
        names.append("\(source)-\(subject)")
        if let kind { names.append("\(source)-\(kind)") }
        names.append(source)
        if let kind { names.append(kind) }
        names.append("default")
        return names
    }

    /// The template for `notification`: the configuration's most specific match, else the
    /// built-ins' (built-ins are named without the source for Nagios and Icinga: `service`, `host`).
    public func template(for notification: Notification) -> Entry? {
        let names = Self.candidates(for: notification)
        for name in names {
            if let entry = entries["config:" + name] { return entry }
        }
        for name in names where name != "default" {
            if let entry = entries[name] { return entry }
        }
        return entries[Self.subject(of: notification)] ?? entries["default"]
    }
}

/// Why the configuration's templates were refused.
public enum TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownName(String)
    case invalid(name: String, reason: String)

    public var description: String {
        switch self {
        case .unknownName(let name):
            "unknown template name \"\(name)\" (expected SOURCE[-SUBJECT][-KIND], KIND or default, e.g. nagios-service, alertmanager-group, recovery)"
        case .invalid(let name, let reason):
            "template \"\(name)\" does not parse: \(reason)"
        }
    }
}
