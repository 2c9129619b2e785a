import AqylCore
import Foundation
import Testing

@Suite("Advisory record and audit chain")
struct AdvisoryAndAuditTests {
    let officer = Principal(userId: "u1", username: "officer.esil", role: .officer, regionKato: "711210000")

    func rec(outcome: String = "approve") -> Recommendation {
        Recommendation(subject: "app-1", domain: "assistance", modelName: "m", modelVersion: "1", score: 0.8,
                       outcome: outcome, reasons: [], inputDigest: "abc", regionKato: "711210000", createdAt: Date())
    }

    @Test func agreeingNeedsNoReason() throws {
        let d = try Decision.make(on: rec(), by: officer, outcome: "approve", reason: nil, at: Date())
        #expect(d.agrees)
        #expect(d.reason == nil)
    }

    @Test func disagreeingNeedsAReason() throws {
        #expect {
            try Decision.make(on: rec(), by: officer, outcome: "reject", reason: "  ", at: Date())
        } throws: { ($0 as? AqylError)?.field == "reason" && ($0 as? AqylError)?.code == "reason_required" }
        let d = try Decision.make(on: rec(), by: officer, outcome: "reject", reason: "income from a second job found", at: Date())
        #expect(!d.agrees)
        #expect(d.officialName == "officer.esil")
    }

    @Test func decidedRecommendationsAreClosed() {
        var r = rec()
        r.status = .decided
        #expect { try Decision.make(on: r, by: officer, outcome: "approve", reason: nil, at: Date()) }
            throws: { ($0 as? AqylError)?.kind == .conflict }
    }

    @Test func recommendationValidationNamesTheField() {
        var r = rec()
        r.score = 1.5
        #expect { try r.validate() } throws: { ($0 as? AqylError)?.field == "score" }
        r = rec()
        r.regionKato = "71"
        #expect { try r.validate() } throws: { ($0 as? AqylError)?.field == "region" }
        r = rec()
        r.subject = ""
        #expect { try r.validate() } throws: { ($0 as? AqylError)?.field == "subject" }
    }

    @Test func statisticsRates() {
        let s = AdvisoryStatistics(domain: "d", modelName: "m", modelVersion: "1", total: 10, pending: 2, agreed: 6, overridden: 2)
        #expect(s.decided == 8)
        #expect(s.agreementRate == 0.75)
        #expect(s.overrideRate == 0.25)
        #expect(AdvisoryStatistics(domain: "d", modelName: "m", modelVersion: "1", total: 1, pending: 1, agreed: 0, overridden: 0).agreementRate == nil)
    }

    func chain(_ n: Int) -> [AuditEntry] {
        var out: [AuditEntry] = []
        var prev = AuditChain.genesis
        for i in 1...n {
            var e = AuditEntry(seq: Int64(i), at: Date(timeIntervalSince1970: Double(1_700_000_000 + i)), actor: "a",
                               action: "x.read", entityType: "x", entityId: "\(i)", regionKato: nil, personal: i % 2 == 0,
                               detail: "entry \(i)", prevHash: prev, hash: "")
            e.hash = AuditChain.hash(of: e)
            prev = e.hash
            out.append(e)
        }
        return out
    }

    @Test func intactChainVerifies() {
        let c = chain(5)
        let r = AuditChain.verify(c, headSeq: 5, headHash: c.last!.hash)
        #expect(r.ok)
        #expect(r.entries == 5)
    }

    @Test func editDeleteReorderAndTruncationAreCaught() {
        let c = chain(5)
        var edited = c
        edited[2].detail = "entry 3, quietly changed"
        #expect(AuditChain.verify(edited, headSeq: 5, headHash: c[4].hash).problems.map(\.kind) == ["edited"])

        var deleted = c
        deleted.remove(at: 1)
        let d = AuditChain.verify(deleted, headSeq: 5, headHash: c[4].hash)
        #expect(!d.ok && d.problems.contains { $0.kind == "gap" })

        var swapped = c
        swapped.swapAt(1, 2)
        #expect(!AuditChain.verify(swapped, headSeq: 5, headHash: c[4].hash).ok)

        let truncated = Array(c.prefix(4))
        #expect(AuditChain.verify(truncated, headSeq: 5, headHash: c[4].hash).problems.map(\.kind) == ["truncated"])
    }
}
