import AqylCore
import Foundation

/// A camera's stored configuration.
public struct StoredCamera: Sendable, Equatable, Codable {
    public var cameraId: String
    public var districtKato: String
    public var version: Int
    /// The configuration document as sent.
    public var config: String
    public var installedAt: Date
    public var installedBy: String

    public init(cameraId: String, districtKato: String, version: Int, config: String, installedAt: Date, installedBy: String) {
        self.cameraId = cameraId
        self.districtKato = districtKato
        self.version = version
        self.config = config
        self.installedAt = installedAt
        self.installedBy = installedBy
    }
}

/// Filters of the operator queue.
public struct VisionEventFilter: Sendable, Equatable {
    public var regions: RegionFilter
    public var status: VisionEventStatus?

    public init(regions: RegionFilter, status: VisionEventStatus? = nil) {
        self.regions = regions
        self.status = status
    }
}

/// Vision's data: camera configurations and events with their evidence. `SQLVisionRepository` in the platform
/// database; `InMemoryVisionRepository` for rule tests. Each write lands with its audit entry.
public protocol VisionRepository: Sendable {
    /// Stores a configuration. Inside the unit of work: a camera already installed stays with its district unless
    /// that district lies in `installerScope` (403), and only a higher version replaces the stored one (409).
    func installCamera(_ camera: StoredCamera, installerScope: RegionFilter, audit: AuditEvent) async throws
    func camera(id: String) async throws -> StoredCamera?
    /// By camera id.
    func cameras(in regions: RegionFilter, page: PageRequest) async throws -> Page<StoredCamera>

    /// Stores an event with its recommendation; throws when the camera's `externalId` exists already.
    func insert(_ event: StoredVisionEvent, externalId: String?, recommendation: Recommendation, audit: AuditEvent) async throws
    func event(id: String) async throws -> StoredVisionEvent?
    func event(camera: String, externalId: String) async throws -> StoredVisionEvent?
    /// Oldest first (created, id).
    func events(_ filter: VisionEventFilter, page: PageRequest) async throws -> Page<StoredVisionEvent>
    /// The operator's review: the decision (claiming the recommendation) and the event's new status together.
    func review(_ event: StoredVisionEvent, status: VisionEventStatus, decision: Decision, on recommendation: Recommendation,
                audit: AuditEvent) async throws
}

public enum VisionRepositories {
    public static func make(for persistence: any PlatformPersistence) throws -> any VisionRepository {
        if let memory = persistence as? InMemoryStore { return InMemoryVisionRepository(memory) }
        return try SQLVisionRepository(persistence)
    }
}
