import Foundation

/// What a user may do. Every route names the roles it admits; the region node bounds what they see.
public enum Role: String, Sendable, Codable, CaseIterable {
    /// Manages users and reference data within their node.
    case admin
    /// Reads pseudonymised statistics and model cards; never raw personal data.
    case analyst
    /// Decides on recommendations for their node (a district officer, a region officer).
    case officer
    /// Works intake queues in a control centre.
    case `operator`
    /// Reads and verifies the audit log.
    case auditor
    /// A machine client (mobile or bank app) that submits work through the API with a token.
    case integrator

    public static func parse(_ raw: String, field: String = "role") throws(AqylError) -> Role {
        guard let r = Role(rawValue: raw.lowercased()) else {
            throw .invalid(field, "unknown role '\(raw)'; one of: \(Role.allCases.map(\.rawValue).joined(separator: ", "))",
                           code: "invalid_role")
        }
        return r
    }
}

/// A signed-in person or machine client, bound to one node of the region tree.
public struct Principal: Sendable, Codable, Equatable {
    public var userId: String
    public var username: String
    public var role: Role
    /// The KATO code of the node this user works at; `000000000` is the centre.
    public var regionKato: String

    public init(userId: String, username: String, role: Role, regionKato: String) {
        self.userId = userId
        self.username = username
        self.role = role
        self.regionKato = regionKato
    }

    /// Throws `forbidden` unless this principal has one of `roles`.
    public func require(_ roles: Role...) throws(AqylError) {
        guard roles.contains(role) else {
            throw .forbidden("role '\(role.rawValue)' may not do this; needs one of: \(roles.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// Throws `forbidden` unless `kato` is this principal's node or below it.
    public func requireScope(_ kato: String, in directory: RegionDirectory) throws(AqylError) {
        guard directory.isWithin(kato, scope: regionKato) else {
            throw .forbidden("region \(kato) is outside your scope (\(regionKato))")
        }
    }
}

public struct User: Sendable, Codable, Equatable {
    public var id: String
    public var username: String
    public var displayName: String
    public var role: Role
    public var regionKato: String
    public var createdAt: Date
    public var disabled: Bool

    public init(id: String, username: String, displayName: String, role: Role, regionKato: String,
                createdAt: Date, disabled: Bool = false) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.role = role
        self.regionKato = regionKato
        self.createdAt = createdAt
        self.disabled = disabled
    }

    public var principal: Principal {
        Principal(userId: id, username: username, role: role, regionKato: regionKato)
    }

    /// Usernames: 3–64 ASCII letters, digits, `.`, `_`, `-` (the contract's `Username`).
    public static func validateUsername(_ name: String, field: String = "username") throws(AqylError) {
        let ok = (3...64).contains(name.utf8.count) && name.utf8.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D
        }
        guard ok else {
            throw .invalid(field, "username must be 3–64 ASCII letters, digits, '.', '_' or '-'")
        }
    }
}
