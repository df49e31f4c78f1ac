extension Configuration {
    /// The `serve:` keys that bound what a client may hold: `idle_timeout`, `max_connections`,
    /// `allowed_origins` (`listen`, the credentials, `max_body_bytes` and `read_timeout` are
    /// read by ``serveSettings(_:)``).
    static func serveLimits(_ reader: SettingsReader, into serve: inout ServeSettings) throws(ConfigurationError) {
        if let timeout = try reader.duration("idle_timeout", example: "5s") { serve.idleTimeout = timeout }
        if let count = try reader.int("max_connections", in: 1...1_000_000) { serve.maxConnections = count }
        if let origins = try reader.stringList("allowed_origins") {
            for origin in origins where !ServeSettings.isOrigin(origin) {
                throw reader.invalid(
                    "allowed_origins", expected: "a list of origins such as https://grafana.example.net (\"\(origin)\" is not)")
            }
            serve.allowedOrigins = origins.map { $0.lowercased() }
        }
    }
}
