import Foundation
@testable import Forecasting

/// A tiny hand-made schema: date, x/y in metres, a category column with three mapped values.
let testSchemaJSON = """
{
  "format": "test",
  "title": "test fixture",
  "taxonomy": "aqyl-offences-1",
  "columns": { "date": "date", "x": "x", "y": "y", "category": "type", "district": "area" },
  "date": { "format": "YYYY-MM-DD" },
  "coordinates": { "system": "projected", "name": "test metres", "metres_per_unit": 1,
                   "bounds": { "x_min": 0, "x_max": 10000, "y_min": 0, "y_max": 10000 } },
  "categories": { "BURG": "burglary", "CARTHEFT": "theft.vehicle", "CHECK": "suspicious" },
  "origin": { "column": "type", "police_discovered": ["CHECK"], "otherwise": "reported", "rule": "test rule" },
  "district": { "label": "test area" }
}
"""

func testSchema() throws -> IntakeSchema {
    try IntakeSchema.decode(Data(testSchemaJSON.utf8), file: "test-schema.json")
}

func parse(_ csv: String, file: String = "in.csv") throws -> IncidentSet {
    try Intake.parse(bytes: Array(csv.utf8), file: file, schema: try testSchema())
}

/// The repository root (for the shipped schema files).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Incidents on a plane in metres, one day each.
func incident(_ day: String, _ x: Double, _ y: Double, _ category: String = "burglary",
              origin: IncidentOrigin = .reported, district: String? = nil) -> Incident {
    Incident(day: CivilDay.parse(day)!, x: x, y: y, category: category, origin: origin, district: district)
}

func planar(_ incidents: [Incident]) -> IncidentSet {
    IncidentSet(crs: .projected(name: "test metres", metresPerUnit: 1), incidents: incidents)
}

/// `../shared/data` beside the checkout (the team's data sets; tests that need them skip when absent).
let sharedData = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/data").path
