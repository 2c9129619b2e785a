import AqylCore
import AqylStore
import Foundation
import SQLKit

/// `AppealsRepository` in the platform's SQL database (portable SQL for SQLite and PostgreSQL).
public struct SQLAppealsRepository: AppealsRepository {
    let store: AqylStore

    public init(_ persistence: any PlatformPersistence) throws { store = try AqylStore.required(persistence) }

    static func json<T: Encodable>(_ v: T) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return String(decoding: (try? e.encode(v)) ?? Data("null".utf8), as: UTF8.self)
    }

    static func unjson<T: Decodable>(_ s: String, as: T.Type) -> T? { try? JSONDecoder().decode(T.self, from: Data(s.utf8)) }

    // MARK: clearances

    public func clearances(userId: String) async throws -> Set<Clearance> {
        let rows = try await store.read { sql in
            try await sql.raw("SELECT clearance FROM appeals_clearances WHERE user_id = \(bind: userId)").all()
        }
        return Set(try rows.compactMap { Clearance(rawValue: try $0.decode(column: "clearance", as: String.self)) })
    }

    public func grant(_ clearance: Clearance, userId: String, grantedBy: String, at: Date, audit: AuditEvent) async throws {
        try await store.transaction { tx in
            try await tx.sql.raw("DELETE FROM appeals_clearances WHERE user_id = \(bind: userId) AND clearance = \(bind: clearance.rawValue)").run()
            try await tx.sql.raw("""
                INSERT INTO appeals_clearances (user_id, clearance, granted_by, granted_at)
                VALUES (\(bind: userId), \(bind: clearance.rawValue), \(bind: grantedBy), \(bind: Clock.millis(at)))
                """).run()
            try await tx.append(audit)
        }
    }

    // MARK: intake

    public func insert(_ new: NewReport, audit: AuditEvent) async throws {
        let r = new.report
        try await store.transaction { tx in
            let sql = tx.sql
            if let key = new.idempotencyKey,
               try await sql.raw("SELECT report_id FROM appeals_idempotency WHERE client_id = \(bind: new.clientId) AND idem_key = \(bind: key)").first() != nil {
                throw AppealsRaceLost()
            }
            if let rec = new.recommendation { try await tx.insertRecommendation(rec, audit: .recommendationCreated(rec, actor: audit.actor)) }
            try await sql.raw("""
                INSERT INTO appeals_reports (id, category, description, lat, lon, address, media_url, location_kato, region_kato,
                    queue_kato, queue_kind, level, status, attributes, risk_topics, triage, duplicates, recommendation_id, channel,
                    submitted_by, input_digest, created_at, updated_at, deadline_at, closed_at)
                VALUES (\(bind: r.id), \(bind: r.category.rawValue), \(bind: r.description), \(bind: r.lat), \(bind: r.lon),
                    \(bind: r.address), \(bind: r.mediaUrl), \(bind: r.locationKato), \(bind: r.regionKato), \(bind: r.queueKato),
                    \(bind: r.queueKind.rawValue), \(bind: r.level.rawValue), \(bind: r.status.rawValue), \(bind: Self.json(r.attributes)),
                    \(bind: Self.json(r.riskTopics)), \(bind: Self.json(r.triage)), \(bind: Self.json(r.duplicates)), \(bind: r.recommendationId),
                    \(bind: r.channel), \(bind: new.submittedBy), \(bind: new.digest), \(bind: Clock.millis(r.createdAt)),
                    \(bind: Clock.millis(r.updatedAt)), \(bind: Clock.millis(r.deadlineAt)), \(bind: r.closedAt.map(Clock.millis)))
                """).run()
            for (i, a) in r.attachments.enumerated() {
                try await sql.raw("""
                    INSERT INTO appeals_attachments (report_id, idx, name, mime_type, size_bytes, sha256, url)
                    VALUES (\(bind: r.id), \(bind: i), \(bind: a.name), \(bind: a.mimeType), \(bind: a.size), \(bind: a.sha256), \(bind: a.url))
                    """).run()
            }
            try await Self.setTopics(r.id, r.riskTopics, on: sql)
            try await Self.appendHistory(new.history, reportId: r.id, on: sql)
            if let key = new.idempotencyKey {
                try await sql.raw("""
                    INSERT INTO appeals_idempotency (client_id, idem_key, body_hash, report_id, created_at)
                    VALUES (\(bind: new.clientId), \(bind: key), \(bind: new.digest), \(bind: r.id), \(bind: Clock.millis(r.createdAt)))
                    """).run()
            }
            try await sql.raw("""
                INSERT INTO appeals_tracking (token_hash, report_id, created_at)
                VALUES (\(bind: new.trackingTokenHash), \(bind: r.id), \(bind: Clock.millis(r.createdAt)))
                """).run()
            try await tx.append(audit)
        }
    }

    static func setTopics(_ id: String, _ topics: [RiskTopic], on sql: any SQLDatabase) async throws {
        try await sql.raw("DELETE FROM appeals_report_topics WHERE report_id = \(bind: id)").run()
        for t in Set(topics).sorted(by: { $0.rawValue < $1.rawValue }) {
            try await sql.raw("INSERT INTO appeals_report_topics (report_id, topic) VALUES (\(bind: id), \(bind: t.rawValue))").run()
        }
    }

    /// Appends to a report's history with the next sequence number (the caller's `seq` is ignored).
    static func appendHistory(_ e: StatusEvent, reportId id: String, on sql: any SQLDatabase) async throws {
        let next = (try await sql.raw("SELECT MAX(seq) AS m FROM appeals_status_history WHERE report_id = \(bind: id)")
            .first()?.decode(column: "m", as: Int?.self) ?? 0) + 1
        try await sql.raw("""
            INSERT INTO appeals_status_history (report_id, seq, at, kind, status, level, queue_kato, public_note, actor, internal_note)
            VALUES (\(bind: id), \(bind: next), \(bind: Clock.millis(e.at)), \(bind: e.kind), \(bind: e.status.rawValue),
                    \(bind: e.level.rawValue), \(bind: e.queueKato), \(bind: e.publicNote), \(bind: e.actor ?? "system"), \(bind: e.internalNote))
            """).run()
    }

    public func idempotency(clientId: String, key: String) async throws -> (bodyHash: String, reportId: String)? {
        let row = try await store.read { sql in
            try await sql.raw("SELECT body_hash, report_id FROM appeals_idempotency WHERE client_id = \(bind: clientId) AND idem_key = \(bind: key)").first()
        }
        guard let row else { return nil }
        return (try row.decode(column: "body_hash", as: String.self), try row.decode(column: "report_id", as: String.self))
    }

    static func decode(_ row: any SQLRow) throws -> AppealReport {
        AppealReport(
            id: try row.decode(column: "id", as: String.self),
            category: AppealCategory(rawValue: try row.decode(column: "category", as: String.self)) ?? .appeal,
            description: try row.decode(column: "description", as: String.self),
            lat: try row.decode(column: "lat", as: Double?.self),
            lon: try row.decode(column: "lon", as: Double?.self),
            address: try row.decode(column: "address", as: String?.self),
            mediaUrl: try row.decode(column: "media_url", as: String?.self),
            locationKato: try row.decode(column: "location_kato", as: String.self),
            regionKato: try row.decode(column: "region_kato", as: String.self),
            queueKato: try row.decode(column: "queue_kato", as: String.self),
            queueKind: QueueKind(rawValue: try row.decode(column: "queue_kind", as: String.self)) ?? .controlCentre,
            level: Region.Level(rawValue: try row.decode(column: "level", as: String.self)) ?? .district,
            status: AppealStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .submitted,
            attributes: unjson(try row.decode(column: "attributes", as: String.self), as: [String: String].self) ?? [:],
            riskTopics: unjson(try row.decode(column: "risk_topics", as: String.self), as: [RiskTopic].self) ?? [],
            triage: unjson(try row.decode(column: "triage", as: String.self), as: TriageResult.self)
                ?? TriageResult(topics: [], hits: [], modelName: "", modelVersion: "", outcome: "no_risk", score: 0),
            duplicates: unjson(try row.decode(column: "duplicates", as: String.self), as: [String].self) ?? [],
            recommendationId: try row.decode(column: "recommendation_id", as: String?.self),
            channel: try row.decode(column: "channel", as: String.self),
            createdAt: Clock.date(millis: try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: Clock.date(millis: try row.decode(column: "updated_at", as: Int64.self)),
            deadlineAt: Clock.date(millis: try row.decode(column: "deadline_at", as: Int64.self)),
            closedAt: try row.decode(column: "closed_at", as: Int64?.self).map(Clock.date(millis:)),
            attachments: [])
    }

    public func report(id: String) async throws -> AppealReport? {
        try await store.read { sql in
            guard let row = try await sql.raw("SELECT * FROM appeals_reports WHERE id = \(bind: id)").first() else { return nil }
            var r = try Self.decode(row)
            r.attachments = try await sql.raw("SELECT * FROM appeals_attachments WHERE report_id = \(bind: id) ORDER BY idx").all().map {
                AttachmentMeta(name: try $0.decode(column: "name", as: String.self),
                               mimeType: try $0.decode(column: "mime_type", as: String.self),
                               size: try $0.decode(column: "size_bytes", as: Int64.self),
                               sha256: try $0.decode(column: "sha256", as: String.self),
                               url: try $0.decode(column: "url", as: String?.self))
            }
            return r
        }
    }

    public func history(reportId id: String) async throws -> [StatusEvent] {
        let rows = try await store.read { sql in
            try await sql.raw("SELECT * FROM appeals_status_history WHERE report_id = \(bind: id) ORDER BY seq").all()
        }
        return try rows.map { row in
            StatusEvent(seq: try row.decode(column: "seq", as: Int.self),
                        at: Clock.date(millis: try row.decode(column: "at", as: Int64.self)),
                        kind: try row.decode(column: "kind", as: String.self),
                        status: AppealStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .submitted,
                        level: Region.Level(rawValue: try row.decode(column: "level", as: String.self)) ?? .district,
                        queueKato: try row.decode(column: "queue_kato", as: String.self),
                        publicNote: try row.decode(column: "public_note", as: String?.self),
                        actor: try row.decode(column: "actor", as: String.self),
                        internalNote: try row.decode(column: "internal_note", as: String?.self))
        }
    }

    public func reportId(trackingTokenHash: String) async throws -> String? {
        try await store.read { sql in
            try await sql.raw("SELECT report_id FROM appeals_tracking WHERE token_hash = \(bind: trackingTokenHash)")
                .first()?.decode(column: "report_id", as: String.self)
        }
    }

    public func located(category: AppealCategory, since: Date, box: (Double, Double, Double, Double)) async throws -> [(id: String, lat: Double, lon: Double)] {
        let rows = try await store.read { sql in
            try await sql.raw("""
                SELECT id, lat, lon FROM appeals_reports
                WHERE category = \(bind: category.rawValue) AND created_at >= \(bind: Clock.millis(since))
                    AND lat IS NOT NULL AND lon IS NOT NULL
                    AND lat BETWEEN \(bind: box.0) AND \(bind: box.2) AND lon BETWEEN \(bind: box.1) AND \(bind: box.3)
                ORDER BY created_at, id
                """).all()
        }
        return try rows.map { (try $0.decode(column: "id", as: String.self), try $0.decode(column: "lat", as: Double.self),
                               try $0.decode(column: "lon", as: Double.self)) }
    }

    // MARK: officials

    static func appendFilter(_ q: inout SQLQueryString, locations: RegionFilter, excluding: Set<AppealCategory>) {
        q.appendRegionFilter("location_kato", locations)
        if !excluding.isEmpty {
            q.appendInterpolation(unsafeRaw: " AND category NOT IN (")
            for (i, c) in excluding.sorted(by: { $0.rawValue < $1.rawValue }).enumerated() {
                if i > 0 { q.appendInterpolation(unsafeRaw: ", ") }
                q.appendInterpolation(bind: c.rawValue)
            }
            q.appendInterpolation(unsafeRaw: ")")
        }
    }

    static func appendIn(_ q: inout SQLQueryString, _ column: String, _ values: [String]) {
        guard !values.isEmpty else { q.appendInterpolation(unsafeRaw: " AND 1 = 0"); return }
        q.appendInterpolation(unsafeRaw: " AND \(column) IN (")
        for (i, v) in values.enumerated() {
            if i > 0 { q.appendInterpolation(unsafeRaw: ", ") }
            q.appendInterpolation(bind: v)
        }
        q.appendInterpolation(unsafeRaw: ")")
    }

    public func reports(_ filter: AppealListFilter, page: PageRequest) async throws -> Page<AppealReport> {
        let rows = try await store.read { sql in
            var q = SQLQueryString("SELECT * FROM appeals_reports WHERE 1 = 1")
            Self.appendFilter(&q, locations: filter.locations, excluding: filter.excludedCategories)
            q.appendEquals("queue_kato", filter.queuedAt)
            q.appendEquals("category", filter.category?.rawValue)
            if let statuses = filter.statuses { Self.appendIn(&q, "status", statuses.map(\.rawValue).sorted()) }
            q.appendAfter(page.cursor, key: "deadline_at", id: "id")
            q.appendInterpolation(unsafeRaw: " ORDER BY deadline_at, id LIMIT ")
            q.appendInterpolation(bind: page.limit + 1)
            return try await sql.raw(q).all()
        }
        return Page(rows: try rows.map(Self.decode), limit: page.limit) { Cursor(key: Clock.millis($0.deadlineAt), id: $0.id) }
    }

    public func transition(_ r: AppealReport, from: AppealStatus, history: StatusEvent, audit: AuditEvent) async throws -> Bool {
        try await store.transaction { tx in
            // Only the official whose UPDATE still finds the old status moves it; a concurrent one gets false.
            let changed = try await tx.sql.raw("""
                UPDATE appeals_reports SET status = \(bind: r.status.rawValue), updated_at = \(bind: Clock.millis(r.updatedAt)),
                    closed_at = \(bind: r.closedAt.map(Clock.millis))
                WHERE id = \(bind: r.id) AND status = \(bind: from.rawValue)
                RETURNING id
                """).all()
            guard !changed.isEmpty else { return false }
            try await Self.appendHistory(history, reportId: r.id, on: tx.sql)
            try await tx.append(audit)
            return true
        }
    }

    public func hasTriageDecision(reportId: String) async throws -> Bool {
        try await store.read { sql in
            try await sql.raw("SELECT id FROM appeals_triage_corrections WHERE report_id = \(bind: reportId)").first() != nil
        }
    }

    public func recordTriageDecision(_ c: TriageDecisionRecord, audit: AuditEvent) async throws {
        try await store.transaction { tx in
            if let (decision, rec) = c.decision {
                try await tx.recordDecision(decision, on: rec, audit: .decisionMade(decision, on: rec, actor: c.officialName))
            } else if try await tx.sql.raw("SELECT id FROM appeals_triage_corrections WHERE report_id = \(bind: c.reportId)").first() != nil {
                // Restricted categories keep their decision with the correction row: decided once.
                throw AqylError(.conflict, code: "already_decided", "the triage advice on this report has already been decided")
            }
            try await tx.sql.raw("""
                INSERT INTO appeals_triage_corrections (id, report_id, topics, previous_topics, outcome, reason, official_id,
                    official_name, note, created_at)
                VALUES (\(bind: c.correctionId), \(bind: c.reportId), \(bind: Self.json(c.topics)), \(bind: Self.json(c.previousTopics)),
                        \(bind: c.outcome), \(bind: c.reason), \(bind: c.officialId), \(bind: c.officialName), \(bind: c.reason),
                        \(bind: Clock.millis(c.at)))
                """).run()
            if c.updatesTopics {
                try await tx.sql.raw("""
                    UPDATE appeals_reports SET risk_topics = \(bind: Self.json(c.topics)), updated_at = \(bind: Clock.millis(c.at))
                    WHERE id = \(bind: c.reportId)
                    """).run()
                try await Self.setTopics(c.reportId, c.topics, on: tx.sql)
            }
            try await tx.append(audit)
        }
    }

    public func corrections() async throws -> [(text: String, topics: [RiskTopic])] {
        let rows = try await store.read { sql in
            try await sql.raw("""
                SELECT c.topics, r.description FROM appeals_triage_corrections c JOIN appeals_reports r ON r.id = c.report_id
                ORDER BY c.created_at, c.id
                """).all()
        }
        return try rows.map { row in
            (try row.decode(column: "description", as: String.self),
             Self.unjson(try row.decode(column: "topics", as: String.self), as: [RiskTopic].self) ?? [])
        }
    }

    // MARK: escalation

    public func overdue(now: Date, limit: Int) async throws -> [AppealReport] {
        let rows = try await store.read { sql in
            try await sql.raw("""
                SELECT * FROM appeals_reports
                WHERE status IN ('submitted', 'in_progress') AND deadline_at < \(bind: Clock.millis(now)) AND level <> 'centre'
                ORDER BY deadline_at, id LIMIT \(bind: limit)
                """).all()
        }
        return try rows.map(Self.decode)
    }

    public func escalate(_ r: AppealReport, to target: Region, deadline: Date, now: Date, history: StatusEvent,
                         audit: AuditEvent) async throws -> Bool {
        let nowMs = Clock.millis(now)
        return try await store.transaction { tx in
            // The UPDATE itself re-checks status, queue and deadline, so a report closed meanwhile, or escalated by
            // another process (another server, or the CLI), is left alone.
            let changed = try await tx.sql.raw("""
                UPDATE appeals_reports SET queue_kato = \(bind: target.kato), level = \(bind: target.level.rawValue),
                    deadline_at = \(bind: Clock.millis(deadline)), updated_at = \(bind: nowMs)
                WHERE id = \(bind: r.id) AND queue_kato = \(bind: r.queueKato) AND deadline_at < \(bind: nowMs)
                    AND status IN ('submitted', 'in_progress')
                RETURNING id
                """).all()
            guard !changed.isEmpty else { return false }
            try await Self.appendHistory(history, reportId: r.id, on: tx.sql)
            try await tx.append(audit)
            return true
        }
    }

    // MARK: public and analytics

    public func publicReports(_ f: PublicReportFilter) async throws -> [AppealReport] {
        let rows = try await store.read { sql in
            var q = SQLQueryString("SELECT * FROM appeals_reports WHERE 1 = 1")
            Self.appendIn(&q, "category", AppealCategory.allCases.filter(\.isPublic).map(\.rawValue))
            if let ids = f.ids { Self.appendIn(&q, "id", ids) }
            if let cs = f.categories { Self.appendIn(&q, "category", cs.map(\.rawValue).sorted()) }
            if let closed = f.closed {
                Self.appendIn(&q, "status", AppealStatus.allCases.filter { $0.isClosed == closed }.map(\.rawValue))
            }
            if let from = f.from { q.appendInterpolation(unsafeRaw: " AND created_at >= "); q.appendInterpolation(bind: Clock.millis(from)) }
            if let to = f.to { q.appendInterpolation(unsafeRaw: " AND created_at <= "); q.appendInterpolation(bind: Clock.millis(to)) }
            q.appendInterpolation(unsafeRaw: " ORDER BY created_at DESC, id LIMIT ")
            q.appendInterpolation(bind: f.limit)
            return try await sql.raw(q).all()
        }
        return try rows.map(Self.decode)
    }

    public func counts(in locations: RegionFilter, excluding: Set<AppealCategory>, now: Date) async throws -> [AppealCountRow] {
        let rows = try await store.read { sql in
            var q = SQLQueryString("""
                SELECT location_kato, queue_kato, category,
                    CASE WHEN status IN ('resolved', 'rejected') THEN 1 ELSE 0 END AS closed,
                    CASE WHEN status NOT IN ('resolved', 'rejected') AND deadline_at < \(bind: Clock.millis(now)) THEN 1 ELSE 0 END AS overdue,
                    COUNT(*) AS n
                FROM appeals_reports WHERE 1 = 1
                """)
            Self.appendFilter(&q, locations: locations, excluding: excluding)
            q.appendInterpolation(unsafeRaw: " GROUP BY location_kato, queue_kato, category, closed, overdue")
            return try await sql.raw(q).all()
        }
        return try rows.compactMap { row in
            guard let c = AppealCategory(rawValue: try row.decode(column: "category", as: String.self)) else { return nil }
            return AppealCountRow(locationKato: try row.decode(column: "location_kato", as: String.self),
                                  queueKato: try row.decode(column: "queue_kato", as: String.self), category: c,
                                  closed: try row.decode(column: "closed", as: Int.self) != 0,
                                  overdue: try row.decode(column: "overdue", as: Int.self) != 0,
                                  count: try row.decode(column: "n", as: Int.self))
        }
    }

    public func medianHoursToClose(in locations: RegionFilter, excluding: Set<AppealCategory>) async throws -> Double? {
        try await store.read { sql in
            func base() -> SQLQueryString {
                var q = SQLQueryString(" FROM appeals_reports WHERE closed_at IS NOT NULL")
                Self.appendFilter(&q, locations: locations, excluding: excluding)
                return q
            }
            var count = SQLQueryString("SELECT COUNT(*) AS n")
            count += base()
            let n = try await sql.raw(count).first()?.decode(column: "n", as: Int.self) ?? 0
            guard n > 0 else { return nil }
            // The middle one or two durations, found by the database (portable: no percentile functions needed).
            var middle = SQLQueryString("SELECT closed_at - created_at AS d")
            middle += base()
            middle.appendInterpolation(unsafeRaw: " ORDER BY d LIMIT ")
            middle.appendInterpolation(bind: n % 2 == 1 ? 1 : 2)
            middle.appendInterpolation(unsafeRaw: " OFFSET ")
            middle.appendInterpolation(bind: (n - 1) / 2)
            let ds = try await sql.raw(middle).all().map { try $0.decode(column: "d", as: Int64.self) }
            guard !ds.isEmpty else { return nil }
            return Double(ds.reduce(0, +)) / Double(ds.count) / 3_600_000
        }
    }

    public func weeklyTopics(in locations: RegionFilter, excluding: Set<AppealCategory>) async throws -> [AppealsTopicWeek] {
        // The ISO week of submission in UTC: 1970-01-01 was a Thursday, so Monday-based week n starts 3 days before
        // n × 7 days after the epoch.
        let week = "((created_at / 1000 + 259200) / 604800)"
        let (reports, topics) = try await store.read { sql in
            var r = SQLQueryString("SELECT \(unsafeRaw: week) AS w, COUNT(*) AS n FROM appeals_reports WHERE 1 = 1")
            Self.appendFilter(&r, locations: locations, excluding: excluding)
            r.appendInterpolation(unsafeRaw: " GROUP BY w")
            var t = SQLQueryString("""
                SELECT \(unsafeRaw: week) AS w, t.topic AS topic, COUNT(*) AS n
                FROM appeals_reports JOIN appeals_report_topics t ON t.report_id = appeals_reports.id WHERE 1 = 1
                """)
            Self.appendFilter(&t, locations: locations, excluding: excluding)
            t.appendInterpolation(unsafeRaw: " GROUP BY w, t.topic")
            return (try await sql.raw(r).all(), try await sql.raw(t).all())
        }
        var weeks: [Int64: AppealsTopicWeek] = [:]
        for row in reports {
            let w = try row.decode(column: "w", as: Int64.self)
            weeks[w] = AppealsTopicWeek(weekStart: AppealsTopicWeek.start(ofWeek: w), reports: try row.decode(column: "n", as: Int.self), topics: [:])
        }
        for row in topics {
            let w = try row.decode(column: "w", as: Int64.self)
            weeks[w]?.topics[try row.decode(column: "topic", as: String.self)] = try row.decode(column: "n", as: Int.self)
        }
        return weeks.keys.sorted().compactMap { weeks[$0] }
    }
}
