import Foundation

/// One rejected row or value: the file, the line (CSV) or the field path (JSON), the column, and why.
/// A rejected row is left out and reported; it is never repaired by guessing.
public struct IntakeIssue: Sendable, Codable, Equatable, CustomStringConvertible {
    public var file: String
    /// 1-based line where the CSV record starts (the header is line 1); nil for JSON.
    public var line: Int?
    /// The CSV column (header name) or the JSON field path, e.g. `transfers[3].amount`.
    public var column: String?
    public var reason: String

    public init(file: String, line: Int? = nil, column: String? = nil, reason: String) {
        self.file = file; self.line = line; self.column = column; self.reason = reason
    }

    public var description: String {
        var s = file
        if let line { s += ":\(line)" }
        if let column { s += line == nil ? ": field '\(column)'" : ": column '\(column)'" }
        return s + ": " + reason
    }
}

/// What an intake read and rejected.
public struct IntakeReport: Sendable, Codable, Equatable {
    public var files: [String] = []
    public var accountsRead = 0
    public var accountsRejected = 0
    public var transfersRead = 0
    public var transfersRejected = 0
    /// The first `IntakeReport.keptIssues` issues, in file order.
    public var issues: [IntakeIssue] = []
    /// All issues, including those not kept.
    public var issueCount = 0
    /// What the intake did on purpose that a reader should know (ignored columns, assumptions).
    public var notes: [String] = []

    public static let keptIssues = 1000

    public init() {}

    public mutating func add(_ issue: IntakeIssue) {
        issueCount += 1
        if issues.count < IntakeReport.keptIssues { issues.append(issue) }
    }

    public mutating func add(contentsOf list: [IntakeIssue]) { for i in list { add(i) } }

    public var summary: String {
        "\(accountsRead) accounts (\(accountsRejected) rejected), \(transfersRead) transfers (\(transfersRejected) rejected)"
    }
}

/// A problem that stops the whole intake (a missing file or column, a file that is not CSV or JSON).
public struct IntakeError: Error, Sendable, Equatable, CustomStringConvertible {
    public var issue: IntakeIssue
    public init(_ issue: IntakeIssue) { self.issue = issue }
    public init(file: String, line: Int? = nil, column: String? = nil, _ reason: String) {
        issue = IntakeIssue(file: file, line: line, column: column, reason: reason)
    }
    public var description: String { issue.description }
}
