/// What field-priority truncation may shorten, in the order it does so: the least essential
/// first. Type, state, host, service and alert names are never shortened; when all of these
/// are exhausted the whole text is cut, as a last resort, so the SMS always fits.
public enum TemplateField: String, Sendable, CaseIterable {
    /// Nagios/Icinga long output, generic details, the Alertmanager `description`.
    case details
    /// The check output, the summary, the ack/downtime comment: `message` in templates.
    case message
    /// Label values shown for context (`labels_text`, `common_text`).
    case labels
    /// How many alerts of a group are listed one by one (the rest become "+K more").
    case alerts
}
