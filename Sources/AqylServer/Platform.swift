import Appeals
import AqylStore
import Assistance
import Vision

/// Everything the platform's database needs: the core schema plus each domain's migrations.
/// Domains own their migrations and use their own version range (core 1–99, assistance 100–199,
/// appeals 200–299, vision 300–399), so the list can simply be concatenated.
public enum Platform {
    public static var migrations: [Migration] {
        CoreMigrations.all + AssistanceMigrations.all + AppealsMigrations.all + VisionMigrations.all
    }

    /// Domains whose recommendations must be decided through their own route (which checks more than the core does).
    public static let ownDecisionRoutes: [String: String] = [
        AssistanceService.domain: "POST /v1/assistance/applications/{id}/decision",
        VisionService.domain: "POST /v1/vision/events/{id}/review",
    ]
}
