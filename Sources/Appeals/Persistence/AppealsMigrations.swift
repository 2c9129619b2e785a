import AqylCore

/// The appeals schema (versions 200–299). Portable SQL: TEXT, BIGINT (milliseconds since 1970),
/// DOUBLE PRECISION and INTEGER read the same on SQLite and PostgreSQL, so no statement needs a dialect branch.
public enum AppealsMigrations {
    public static let versions = 200...299
    public static let all: [Migration] = [reports, topics]

    static let reports = Migration(version: 200, name: "appeals: reports, status history, idempotency keys, tracking tokens, attachments, triage corrections, clearances") { _ in
        [
            """
            CREATE TABLE appeals_reports (
                id TEXT PRIMARY KEY, category TEXT NOT NULL, description TEXT NOT NULL,
                lat DOUBLE PRECISION, lon DOUBLE PRECISION, address TEXT, media_url TEXT,
                location_kato TEXT NOT NULL, region_kato TEXT NOT NULL,
                queue_kato TEXT NOT NULL, queue_kind TEXT NOT NULL, level TEXT NOT NULL,
                status TEXT NOT NULL, attributes TEXT NOT NULL, risk_topics TEXT NOT NULL, triage TEXT NOT NULL,
                duplicates TEXT NOT NULL, recommendation_id TEXT, channel TEXT NOT NULL,
                submitted_by TEXT NOT NULL, input_digest TEXT NOT NULL,
                created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, deadline_at BIGINT NOT NULL, closed_at BIGINT)
            """,
            "CREATE INDEX appeals_reports_queue ON appeals_reports (queue_kato, status, deadline_at)",
            "CREATE INDEX appeals_reports_nearby ON appeals_reports (category, created_at)",
            "CREATE INDEX appeals_reports_region ON appeals_reports (region_kato, created_at)",
            """
            CREATE TABLE appeals_status_history (
                report_id TEXT NOT NULL REFERENCES appeals_reports (id), seq INTEGER NOT NULL, at BIGINT NOT NULL,
                kind TEXT NOT NULL, status TEXT NOT NULL, level TEXT NOT NULL, queue_kato TEXT NOT NULL,
                public_note TEXT, actor TEXT NOT NULL, internal_note TEXT,
                PRIMARY KEY (report_id, seq))
            """,
            """
            CREATE TABLE appeals_idempotency (
                client_id TEXT NOT NULL, idem_key TEXT NOT NULL, body_hash TEXT NOT NULL,
                report_id TEXT NOT NULL REFERENCES appeals_reports (id), created_at BIGINT NOT NULL,
                PRIMARY KEY (client_id, idem_key))
            """,
            """
            CREATE TABLE appeals_tracking (
                token_hash TEXT PRIMARY KEY, report_id TEXT NOT NULL UNIQUE REFERENCES appeals_reports (id),
                created_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE appeals_attachments (
                report_id TEXT NOT NULL REFERENCES appeals_reports (id), idx INTEGER NOT NULL, name TEXT NOT NULL,
                mime_type TEXT NOT NULL, size_bytes BIGINT NOT NULL, sha256 TEXT NOT NULL, url TEXT,
                PRIMARY KEY (report_id, idx))
            """,
            """
            CREATE TABLE appeals_triage_corrections (
                id TEXT PRIMARY KEY, report_id TEXT NOT NULL REFERENCES appeals_reports (id), topics TEXT NOT NULL,
                previous_topics TEXT NOT NULL, outcome TEXT, reason TEXT, official_id TEXT NOT NULL, official_name TEXT NOT NULL,
                note TEXT, created_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE appeals_clearances (
                user_id TEXT NOT NULL, clearance TEXT NOT NULL, granted_by TEXT NOT NULL, granted_at BIGINT NOT NULL,
                PRIMARY KEY (user_id, clearance))
            """,
        ]
    }

    /// Risk topics one row per report and topic, so weekly topic counts are a GROUP BY (no JSON parsing);
    /// existing reports' topics are copied from their JSON column.
    static let topics = Migration(version: 201, name: "appeals: risk topics per report for analytics") { dialect in
        [
            """
            CREATE TABLE appeals_report_topics (
                report_id TEXT NOT NULL REFERENCES appeals_reports (id), topic TEXT NOT NULL,
                PRIMARY KEY (report_id, topic))
            """,
            "CREATE INDEX appeals_reports_location ON appeals_reports (location_kato, category, status)",
            "CREATE INDEX appeals_reports_deadline ON appeals_reports (status, deadline_at)",
            dialect == .postgres
                ? "INSERT INTO appeals_report_topics (report_id, topic) SELECT r.id, t FROM appeals_reports r, jsonb_array_elements_text(r.risk_topics::jsonb) t"
                : "INSERT INTO appeals_report_topics (report_id, topic) SELECT r.id, j.value FROM appeals_reports r, json_each(r.risk_topics) j",
        ]
    }
}
