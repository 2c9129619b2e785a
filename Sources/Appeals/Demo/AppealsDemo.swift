import AqylCore
import Foundation

/// A small SYNTHETIC appeals queue (no real person or event): reports in Esil and Saryarka (Astana) and Alatau
/// (Almaty), including a likely duplicate, a police complaint (Almaty's internal-security unit) and a
/// domestic-violence report that only cleared users see. Triage by keyword rules only.
public struct AppealsDemo: DemoSeed {
    public let service: AppealsService

    public init(service: AppealsService) { self.service = service }

    public func seed(_ context: DemoContext) async throws {
        let bank = try context.account("integrator.bank")
        let rulesOnly = AppealsService(core: service.core, repository: service.repository, config: service.config,
                                       triage: AppealTriage(classifier: nil), locator: service.locator)
        let reports: [AppealSubmission] = [
            AppealSubmission(category: .trafficAccident, description: "SYNTHETIC DEMO: ДТП на перекрёстке, два автомобиля, пострадавших нет",
                             lat: 51.1012, lon: 71.4203, attributes: ["injured": "no", "vehicles": "2"]),
            AppealSubmission(category: .trafficAccident, description: "SYNTHETIC DEMO: авария на перекрёстке, перекрыта полоса",
                             lat: 51.1020, lon: 71.4215),
            AppealSubmission(category: .trafficViolation, description: "SYNTHETIC DEMO: автомобиль припаркован на тротуаре у школы",
                             kato: "711310000", attributes: ["plate": "000 DEMO 01"]),
            AppealSubmission(category: .appeal, description: "SYNTHETIC DEMO: Мектепте баламды сыныптастары мазақтайды, мұғалімдер шара қолданбайды",
                             kato: "751210000"),
            AppealSubmission(category: .policeComplaint, description: "SYNTHETIC DEMO: сотрудник патрульной полиции намекал на взятку вместо протокола",
                             kato: "751210000"),
            AppealSubmission(category: .domesticViolence, description: "SYNTHETIC DEMO: соседи слышат крики и удары в квартире",
                             kato: "711210000", attributes: ["immediate_danger": "no"]),
        ]
        for (i, r) in reports.enumerated() {
            _ = try await rulesOnly.submit(r, idempotencyKey: "demo-\(i + 1)", client: bank)
        }
    }
}
