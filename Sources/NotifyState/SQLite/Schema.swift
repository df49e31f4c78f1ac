import GRDB

/// The versioned schema of the SQLite store. A migration, once released, is never edited:
/// a change is a new migration appended here.
enum Schema {
    /// `PRAGMA user_version` once every migration below has run: the number of migrations.
    static let version = 9

    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: messages, deliveries, meta") { db in
            try db.execute(sql: """
                CREATE TABLE message (
                    id INTEGER PRIMARY KEY,
                    created_at INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    text TEXT NOT NULL,
                    source TEXT,
                    type_label TEXT,
                    label TEXT
                );
                CREATE TABLE delivery (
                    id INTEGER PRIMARY KEY,
                    message_id INTEGER NOT NULL REFERENCES message(id) ON DELETE CASCADE,
                    recipient TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    reason TEXT,
                    detail TEXT,
                    dedup_key TEXT,
                    status TEXT,
                    subject TEXT,
                    duplicate_of INTEGER,
                    digest_id INTEGER,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at INTEGER,
                    lease_owner TEXT,
                    lease_until INTEGER,
                    sent_at INTEGER,
                    provider_message_id TEXT,
                    nb_sms INTEGER,
                    cost REAL,
                    currency TEXT,
                    error_class TEXT,
                    error TEXT
                );
                CREATE INDEX delivery_by_key ON delivery(recipient, dedup_key, created_at);
                CREATE INDEX delivery_by_subject ON delivery(recipient, subject, id);
                CREATE INDEX delivery_by_recipient ON delivery(recipient, state, created_at);
                CREATE INDEX delivery_by_state ON delivery(state, next_attempt_at);
                CREATE INDEX delivery_by_time ON delivery(created_at);
                CREATE INDEX delivery_by_message ON delivery(message_id);
                CREATE TABLE meta (
                    key TEXT PRIMARY KEY,
                    value TEXT NOT NULL
                );
                """)
        }
        // A webhook retried or sent by an HA pair adds a `duplicate` row each time; lookups of
        // the live decisions must not walk them, and the limit counts, the last success and the
        // windows of `status` (read by serve's worker after every flush) must not walk history.
        // Alertmanager alert instances (fingerprint@startsAt) seen resolved: a later firing of
        // one is a stale copy (an HA peer's, a retry's), not news.
        migrator.registerMigration("v2: indexes that skip duplicates; resolved alert instances") { db in
            try db.execute(sql: """
                DROP INDEX delivery_by_key;
                DROP INDEX delivery_by_subject;
                CREATE INDEX delivery_live_by_key ON delivery(recipient, dedup_key, id) WHERE state <> 'duplicate';
                CREATE INDEX delivery_live_by_subject ON delivery(recipient, subject, id) WHERE state <> 'duplicate';
                CREATE INDEX delivery_by_state_time ON delivery(state, created_at);
                CREATE INDEX delivery_by_state_sent ON delivery(state, sent_at);
                CREATE TABLE resolved_alert (
                    instance TEXT PRIMARY KEY,
                    resolved_at INTEGER NOT NULL
                );
                """)
        }
        // Each message's own SMSPartner tag (rows from before get a random one), so that a
        // request whose answer never came can be looked up before it is sent again; and the
        // `unknown` delivery state, due for that lookup at next_attempt_at.
        migrator.registerMigration("v3: message tags") { db in
            try db.execute(sql: """
                ALTER TABLE message ADD COLUMN tag TEXT;
                UPDATE message SET tag = 'notify' || lower(hex(randomblob(5)));
                """)
        }
        // Whether a delivery reported a change to the worst state (a host DOWN, a service
        // CRITICAL…: its own rate-limit budget), and how a digest orders and names a message.
        migrator.registerMigration("v4: urgency and digest names") { db in
            try db.execute(sql: """
                ALTER TABLE delivery ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE message ADD COLUMN digest_rank INTEGER;
                ALTER TABLE message ADD COLUMN digest_status TEXT;
                """)
        }
        // Delivery receipts of sent deliveries (`accepted` until SMSPartner reports a final
        // state; looked at again at receipt_due_at), found by SMSPartner's message id when it
        // pushes one; and the last heartbeat (Watchdog alert) of each Alertmanager cluster.
        migrator.registerMigration("v5: receipts and heartbeats") { db in
            try db.execute(sql: """
                ALTER TABLE delivery ADD COLUMN receipt TEXT;
                ALTER TABLE delivery ADD COLUMN receipt_at INTEGER;
                ALTER TABLE delivery ADD COLUMN receipt_detail TEXT;
                ALTER TABLE delivery ADD COLUMN receipt_polls INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE delivery ADD COLUMN receipt_due_at INTEGER;
                CREATE INDEX delivery_receipt_due ON delivery(receipt_due_at) WHERE receipt = 'accepted';
                CREATE INDEX delivery_by_provider_id ON delivery(provider_message_id) WHERE provider_message_id IS NOT NULL;
                CREATE INDEX delivery_by_receipt_time ON delivery(receipt, sent_at) WHERE receipt IS NOT NULL;
                CREATE TABLE heartbeat (
                    cluster TEXT PRIMARY KEY,
                    last_seen INTEGER NOT NULL,
                    alarm_at INTEGER,
                    restored_at INTEGER
                );
                """)
        }
        // Two-way paging: each alert sent to a number and open to a reply, with its code.
        migrator.registerMigration("v6: pages") { db in
            try db.execute(sql: """
                CREATE TABLE page (
                    id INTEGER PRIMARY KEY,
                    recipient TEXT NOT NULL,
                    code TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    source TEXT NOT NULL,
                    target TEXT,
                    text TEXT NOT NULL,
                    opened_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    acked_at INTEGER,
                    acked_by TEXT,
                    resolved_at INTEGER
                );
                CREATE INDEX page_by_recipient ON page(recipient, resolved_at, id);
                CREATE INDEX page_by_subject ON page(subject, resolved_at);
                CREATE INDEX page_by_time ON page(updated_at);
                """)
        }
        // Two-way paging, replies: each reply received (a repeated callback is seen once), who
        // acknowledged a page from which number, and the Alertmanager silence it made.
        migrator.registerMigration("v7: replies") { db in
            try db.execute(sql: """
                ALTER TABLE page ADD COLUMN label TEXT;
                ALTER TABLE page ADD COLUMN acked_number TEXT;
                ALTER TABLE page ADD COLUMN silence_id TEXT;
                ALTER TABLE page ADD COLUMN silence_until INTEGER;
                CREATE INDEX page_by_code ON page(code, resolved_at);
                CREATE INDEX page_silenced ON page(silence_until) WHERE silence_id IS NOT NULL AND resolved_at IS NULL;
                CREATE TABLE reply (
                    id INTEGER PRIMARY KEY,
                    message_id TEXT,
                    sender TEXT NOT NULL,
                    text TEXT NOT NULL,
                    command TEXT NOT NULL,
                    outcome TEXT,
                    received_at INTEGER NOT NULL
                );
                CREATE INDEX reply_by_message ON reply(message_id, received_at) WHERE message_id IS NOT NULL;
                CREATE INDEX reply_by_time ON reply(received_at);
                """)
        }
        // Escalation policies: one row per alert being escalated (the step fired last, when the
        // next one fires, who was paged), at most one active per subject. (v7 is the replies'.)
        migrator.registerMigration("v8: escalations") { db in
            try db.execute(sql: """
                CREATE TABLE escalation (
                    id INTEGER PRIMARY KEY,
                    subject TEXT NOT NULL,
                    policy TEXT NOT NULL,
                    label TEXT NOT NULL,
                    source TEXT NOT NULL,
                    target TEXT,
                    text TEXT NOT NULL,
                    step INTEGER NOT NULL,
                    steps INTEGER NOT NULL,
                    round INTEGER NOT NULL,
                    round_started_at INTEGER NOT NULL,
                    started_at INTEGER NOT NULL,
                    fired_at INTEGER NOT NULL,
                    next_at INTEGER,
                    paged TEXT NOT NULL,
                    exhausted_at INTEGER,
                    stopped_at INTEGER,
                    stop_reason TEXT,
                    updated_at INTEGER NOT NULL
                );
                CREATE UNIQUE INDEX escalation_active ON escalation(subject) WHERE stopped_at IS NULL;
                CREATE INDEX escalation_by_time ON escalation(updated_at);
                """)
        }
        // `run`: one row per wrapped check (its state, since when, failed runs in a row, the
        // state its PROBLEM was texted for, its last output line). v10 is quiet hours'.
        migrator.registerMigration("v9: check runs") { db in
            try db.execute(sql: """
                CREATE TABLE check_run (
                    name TEXT PRIMARY KEY,
                    state TEXT NOT NULL,
                    since INTEGER NOT NULL,
                    failures INTEGER NOT NULL,
                    alerted TEXT,
                    last_output TEXT,
                    updated_at INTEGER NOT NULL
                );
                CREATE INDEX check_run_by_time ON check_run(updated_at);
                """)
        }
        return migrator
    }()
}
