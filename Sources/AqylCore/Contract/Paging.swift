import Foundation

/// Where the next page of a list starts: the sort key of the last item returned (a number, usually a time in
/// milliseconds or a sequence number, and an id that breaks ties). Opaque to clients: `c1.<base64url>`.
public struct Cursor: Sendable, Equatable, CustomStringConvertible {
    public var key: Int64
    public var id: String

    public init(key: Int64, id: String) {
        self.key = key
        self.id = id
    }

    /// Reads a cursor a client sent back: one not of the contract's shape (`c1.` and base64url) is a 400, one of
    /// that shape that this server did not issue a 422, both naming `cursor`.
    public init(_ text: String) throws(AqylError) {
        let body = text.utf8.dropFirst(3)
        guard text.hasPrefix("c1."), (1...400).contains(body.count), body.allSatisfy({
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F
        }) else {
            throw .invalid("cursor", "cursor must be a next_cursor this server gave", code: "invalid_cursor")
        }
        let bad = AqylError.refused("cursor", "cursor is not one this server issued; start again without it", code: "invalid_cursor")
        var b64 = String(text.dropFirst(3)).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        guard let data = Data(base64Encoded: b64), let s = String(data: data, encoding: .utf8),
              let colon = s.firstIndex(of: ":"), let key = Int64(s[..<colon]) else { throw bad }
        self.key = key
        self.id = String(s[s.index(after: colon)...])
    }

    public var description: String {
        let b64 = Data("\(key):\(id)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return "c1." + b64
    }
}

/// A page size and where to start.
public struct PageRequest: Sendable, Equatable {
    public var cursor: Cursor?
    public var limit: Int

    public init(cursor: Cursor? = nil, limit: Int = 100) {
        self.cursor = cursor
        self.limit = limit
    }
}

/// One page of a list and the cursor of the next one (nil at the end).
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var next: Cursor?

    public init(items: [Item], next: Cursor?) {
        self.items = items
        self.next = next
    }

    /// Cuts `limit + 1` rows read in sort order to a page: the extra row only tells that there is more.
    public init(rows: [Item], limit: Int, key: (Item) -> Cursor) {
        if rows.count > limit {
            items = Array(rows.prefix(limit))
            next = items.last.map(key)
        } else {
            items = rows
            next = nil
        }
    }

    public func map<T: Sendable>(_ transform: (Item) throws -> T) rethrows -> Page<T> {
        Page<T>(items: try items.map(transform), next: next)
    }
}

/// Which region nodes a query covers: everything (the centre's scope) or an explicit list of nodes
/// (a node's subtree, from `RegionDirectory.subtree`).
public enum RegionFilter: Sendable, Equatable {
    case all
    case nodes([String])

    public func contains(_ kato: String) -> Bool {
        switch self {
        case .all: true
        case .nodes(let n): n.contains(kato)
        }
    }

    /// The subtree of `node` (everything for the centre).
    public static func subtree(of node: String, in directory: RegionDirectory) -> RegionFilter {
        node == Region.centreCode ? .all : .nodes(directory.subtree(of: node))
    }
}

extension Page {
    /// Keyset paging over rows held in memory, the in-memory repositories' twin of SQL's
    /// `appendAfter(cursor, key:, id:) … ORDER BY key, id LIMIT limit + 1`: the rows after `page.cursor` in (key, id)
    /// order, cut to a page.
    public init(keyset rows: some Sequence<Item>, page: PageRequest, key: (Item) -> Int64, id: (Item) -> String) {
        let ordered = rows.map { (key: key($0), id: id($0), item: $0) }
            .filter { r in page.cursor.map { (r.key, r.id) > ($0.key, $0.id) } ?? true }
            .sorted { ($0.key, $0.id) < ($1.key, $1.id) }
        self.init(rows: ordered.prefix(page.limit + 1).map(\.item), limit: page.limit) { Cursor(key: key($0), id: id($0)) }
    }
}
