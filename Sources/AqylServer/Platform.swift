import Appeals
import AqylStore

/// Everything the platform's database needs: the core schema plus each domain's migrations.
/// Domains own their migrations and use their own version range (core 1–99, assistance 100–199,
/// appeals 200–299, vision 300–399), so the list can simply be concatenated.
public enum Platform {
    public static var migrations: [Migration] {
        CoreMigrations.all + AppealsMigrations.all
    }
}
