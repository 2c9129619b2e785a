import ArgumentParser
import Foundation
import Forecasting

/// `aqyl forecast`: hotspot forecasts on a square grid, their evaluation (PAI, PEI*), offence dynamics with
/// anomaly alerts, and regional statistics. Flag parsing and printing only; the logic is in `Forecasting`.
struct ForecastCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forecast",
        abstract: "Crime-threat forecasting: hotspots, evaluate, dynamics, regions (places and times, never people).",
        subcommands: [Hotspots.self, Evaluate.self, Dynamics.self, Regions.self])
}

/// Where the source files come from and which schema reads them.
struct ForecastInput: ParsableArguments {
    @Option(help: "Incident CSV file(s), comma-separated.") var data: String
    @Option(help: "Source format: a schema schemas/forecast-FORMAT.json (portland-nij, police-uk).") var format: String
    @Option(help: "Read the format from this schema file instead of schemas/forecast-FORMAT.json.") var schema: String?

    func load() throws -> IncidentSet {
        let schemaPath: String
        if let s = schema {
            schemaPath = s
        } else {
            let dirs = [FileManager.default.currentDirectoryPath, URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path]
            guard let found = SchemaLocator.find(format: format, from: dirs) else {
                let known = SchemaLocator.available(from: dirs)
                throw ValidationError("no schema schemas/\(SchemaLocator.fileName(format: format)) found from the working directory or the executable"
                                      + (known.isEmpty ? "" : "; known formats: \(known.joined(separator: ", "))"))
            }
            schemaPath = found
        }
        let paths = data.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !paths.isEmpty else { throw ValidationError("--data names no file") }
        do {
            let schema = try IntakeSchema.load(path: schemaPath)
            return try Intake.read(paths: paths, schema: schema)
        } catch {
            throw CLIError(error.description)   // a problem in a file, not in the command line: no usage text
        }
    }
}

private func forecastLog(_ s: String) { FileHandle.standardError.write(Data(("forecast: " + s + "\n").utf8)) }

private func forecastJSON<T: Encodable>(_ value: T, snakeCase: Bool = false) throws -> String {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys]
    if snakeCase { e.keyEncodingStrategy = .convertToSnakeCase }
    e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return String(decoding: try e.encode(value), as: UTF8.self)
}

private func parseDay(_ s: String, flag: String) throws -> Int {
    guard let d = CivilDay.parse(s) else { throw ValidationError("\(flag): '\(s)' is not a date written YYYY-MM-DD") }
    return d
}

/// Reports rejected rows: all of them into a CSV beside the output, the first few on standard error.
private func reportRejections(_ set: IncidentSet, to path: String?) throws {
    guard !set.rejections.isEmpty else { return }
    for r in set.rejections.prefix(5) { forecastLog("rejected \(r)") }
    if let path {
        try SchemaLocator.rejectionsCSV(set.rejections).write(toFile: path, atomically: true, encoding: .utf8)
        forecastLog("\(set.rejections.count) rows rejected; every one with file, line, column and reason in \(path)")
    } else if set.rejections.count > 5 {
        forecastLog("\(set.rejections.count) rows rejected in all; --rejects FILE lists every one")
    }
}

private func sibling(_ path: String, _ suffix: String) -> String {
    (path.hasSuffix(".csv") ? String(path.dropLast(4)) : path) + suffix
}

extension HotspotMethod: ExpressibleByArgument {}

extension ForecastCommand {
    struct Hotspots: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Forecast the hottest grid cells for a window; writes CELLS.csv (x_min,y_min,x_max,y_max,score) and its model card.",
            discussion: """
                Only incidents whose date (or month) ends before --from are used. Cells are written in the data's own \
                coordinates (feet for portland-nij, degrees for police-uk); their total area is at most --area. \
                Besides CELLS.csv it writes CELLS.card.json and CELLS.card.md (the model card) and, when rows were \
                rejected, CELLS.rejects.csv.
                """)
        @OptionGroup var input: ForecastInput
        @Option(help: "ALL or a code of the offence taxonomy (e.g. burglary, theft.vehicle, violence).") var category: String
        @Option(help: "First day of the forecast window, YYYY-MM-DD.") var from: String
        @Option(help: "Length of the forecast window in days.") var days: Int
        @Option(help: "Side of a grid cell in metres.") var cell: Double
        @Option(help: "Largest total area of the chosen cells, square metres.") var area: Double
        @Option(help: "Where to write the cells CSV.") var out: String
        @Option(help: "naive, kde, sepp or auto (chosen by rolling-origin evaluation on past data).") var method: HotspotMethod = .auto
        @Option(help: "Weight of incidents the police discovered themselves (feedback-loop guard), 0–1.") var discoveredWeight: Double = 0.5
        @Option(help: "With --method kde or sepp: use this bandwidth (metres) instead of selecting one.") var bandwidth: Double?
        @Option(help: "With --method kde and --bandwidth: time-decay half-life in days.") var halfLife: Double?
        @Option(help: "With --method kde and --bandwidth: point-mass weight of the kernel, 0–1.") var pointMass: Double?
        @Option(help: "Seed of the split-half fallback evaluation.") var seed: UInt64 = 1
        @Option(help: "Worker threads (default: all cores).") var threads: Int?

        func run() throws {
            let set = try input.load()
            try reportRejections(set, to: sibling(out, ".rejects.csv"))
            var options = HotspotOptions(category: category, fromDay: try parseDay(from, flag: "--from"), days: days,
                                         cellMetres: cell, areaSquareMetres: area, method: method)
            options.discoveredWeight = discoveredWeight
            options.seed = seed
            if let t = threads { options.threads = max(1, t) }
            if let b = bandwidth {
                guard method == .kde || method == .sepp else { throw ValidationError("--bandwidth needs --method kde or sepp") }
                guard b > 0, (pointMass ?? 0) >= 0, (pointMass ?? 0) <= 1, (halfLife ?? 1) > 0 else {
                    throw ValidationError("--bandwidth and --half-life must be positive, --point-mass within 0–1")
                }
                options.fixed = MethodSpec(method: method, bandwidthMetres: b, halfLifeDays: method == .kde ? halfLife : nil,
                                           pointMass: method == .kde && (pointMass ?? 0) > 0 ? pointMass : nil)
            } else if halfLife != nil || pointMass != nil {
                throw ValidationError("--half-life and --point-mass need --bandwidth")
            }
            let forecast: HotspotForecast
            do { forecast = try ForecastEngine.hotspots(incidents: set, options: options) } catch {
                throw ValidationError(error.description)
            }
            try CellsFile.csv(forecast.cells).write(toFile: out, atomically: true, encoding: .utf8)
            try forecastJSON(forecast.card, snakeCase: true).write(toFile: sibling(out, ".card.json"), atomically: true, encoding: .utf8)
            try forecast.card.markdown().write(toFile: sibling(out, ".card.md"), atomically: true, encoding: .utf8)
            let c = forecast.card
            let held = c.heldBack.chosen.map { String(format: "held-back mean PAI %.2f, PEI* %.3f (%@)", $0.meanPai, $0.meanPei, c.heldBack.scheme) } ?? "no held-back figures"
            forecastLog(String(format: "%@: %d cells, %.0f m² of %.0f m² allowed; %@; %.2f s (selection %.2f s, forecast %.2f s)",
                               c.method, c.cells, c.areaSquareMetres, area, held, c.timing.total, c.timing.selection, c.timing.forecast))
            forecastLog("wrote \(out), \(sibling(out, ".card.json")), \(sibling(out, ".card.md"))")
        }
    }

    struct Evaluate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Score a cells file against incidents: PAI and PEI* as the NIJ challenge defined them.",
            discussion: """
                The study area A comes from the forecast's model card (CELLS.card.json beside the cells) unless \
                --study-area is given; without either, the cells of the test data holding any incident are used.
                """)
        @Option(help: "Cells CSV written by `aqyl forecast hotspots`.") var cells: String
        @OptionGroup var input: ForecastInput
        @Option(help: "ALL or a code of the offence taxonomy.") var category: String
        @Option(help: "Count only incidents from this day (YYYY-MM-DD).") var from: String?
        @Option(help: "With --from: count only this many days.") var days: Int?
        @Option(help: "Study area A in square metres (overrides the model card).") var studyArea: Double?
        @Option(help: "Write every rejected input row (file, line, column, value, reason) to this CSV.") var rejects: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let cellList: [ForecastCell]
            do { cellList = try CellsFile.read(path: cells) } catch { throw CLIError(error.description) }
            let set = try input.load()
            try reportRejections(set, to: rejects)
            var area = studyArea
            var source: String? = studyArea == nil ? nil : "--study-area"
            let cardPath = sibling(cells, ".card.json")
            if area == nil, let data = FileManager.default.contents(atPath: cardPath),
               let card = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
               let sa = card["study_area"] as? [String: Any], let m2 = sa["square_metres"] as? Double {
                area = m2
                source = "model card \(cardPath)"
            }
            let fromDay = try from.map { try parseDay($0, flag: "--from") }
            if days != nil && fromDay == nil { throw ValidationError("--days needs --from") }
            let report: HotspotEvaluationReport
            do {
                report = try HotspotEvaluation.evaluate(cells: cellList, incidents: set, category: category, fromDay: fromDay,
                                                        days: days, studyArea: area, studyAreaSource: source)
            } catch { throw ValidationError(error.description) }
            if json {
                print(try forecastJSON(report))
            } else {
                func f(_ v: Double?, _ d: Int) -> String { v.map { String(format: "%.\(d)f", $0) } ?? "–" }
                print("category \(report.category): PAI \(f(report.pai, 2)), PEI* \(f(report.pei, 3)), hit rate \(f(report.hitRate, 3)) (\(report.n) of \(report.total); n* \(report.nStar)), area \(f(report.area, 0)) m² in \(report.cells) cells, study area \(f(report.studyArea, 0)) m² (\(report.studyAreaSource))")
            }
        }
    }

    struct Dynamics: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Counts per region × category × period, trend, weekday pattern, year-on-year change and anomaly alerts.",
            discussion: """
                Alerts test the last --test-periods covered periods of every series against a Poisson regression \
                on the periods before (log-linear trend, day of week for daily series, negative-binomial \
                over-dispersion); with monthly data a year apart, each district's count is also tested against its \
                share of the year before. p-values are Benjamini–Hochberg adjusted; an alert needs q ≤ --alpha.
                """)
        @OptionGroup var input: ForecastInput
        @Option(help: "day, week or month.") var by: String = "week"
        @Flag(help: "Split by the data's district field (census tract, local authority).") var byDistrict = false
        @Flag(help: "Count full taxonomy codes (theft.vehicle) instead of top-level ones (theft).") var fullCodes = false
        @Option(help: "How many final periods of each series to test.") var testPeriods = 1
        @Option(help: "False discovery rate for alerts.") var alpha = 0.05
        @Option(help: "Fewest earlier periods a series needs to be tested.") var minHistory = 6
        @Option(help: "Write every rejected input row (file, line, column, value, reason) to this CSV.") var rejects: String?
        @Flag(help: "Print JSON.") var json = false

        struct Output: Encodable {
            struct Row: Encodable {
                var region: String
                var category: String
                var total: Int
                var counts: [Int]
                var periods: [String]
                var exposureDays: [Int]
                var trend: SeriesTrend?
            }
            var unit: String
            var series: [Row]
            var yearOnYear: [YearOnYear]
            var alerts: [AnomalyAlert]
        }

        func run() throws {
            guard let unit = PeriodUnit(rawValue: by) else { throw ValidationError("--by: '\(by)' is not day, week or month") }
            let set = try input.load()
            try reportRejections(set, to: rejects)
            var o = OffenceDynamics.Options(unit: unit)
            o.byDistrict = byDistrict
            o.topLevel = !fullCodes
            let series: [CountSeries]
            do { series = try OffenceDynamics.series(set.incidents, options: o) } catch { throw ValidationError(error.description) }
            var ao = Anomalies.Options()
            ao.alpha = alpha
            ao.testPeriods = max(1, testPeriods)
            ao.minimumHistory = max(2, minHistory)
            var alerts = Anomalies.detect(series: series, options: ao)
            let yoy = series.flatMap { OffenceDynamics.yearOnYear($0) }
            if let s = series.first, let perYear = unit.perYear, byDistrict,
               let last = s.counts.indices.last(where: { s.exposureDays[$0] > 0 }), last >= perYear, s.exposureDays[last - perYear] > 0 {
                alerts += Anomalies.shareShift(current: series, currentIndex: last, previousIndex: last - perYear, options: ao)
            }
            let rows = series.map { s in
                Output.Row(region: s.region, category: s.category, total: s.counts.reduce(0, +), counts: s.counts,
                           periods: s.counts.indices.map { s.label($0) }, exposureDays: s.exposureDays, trend: OffenceDynamics.trend(s))
            }
            if json {
                print(try forecastJSON(Output(unit: unit.rawValue, series: rows, yearOnYear: yoy, alerts: alerts), snakeCase: true))
                return
            }
            print("region\tcategory\ttotal\trate/\(unit.rawValue)\ttrend p\tweekday (Mon..Sun)")
            for r in rows {
                let t = r.trend
                print("\(r.region)\t\(r.category)\t\(r.total)\t\(t.map { String(format: "%.3f", $0.ratePerPeriod) } ?? "–")\t\(t.map { String(format: "%.3g", $0.pValue) } ?? "–")\t\(t?.weekday.map { $0.map { String(format: "%.2f", $0) }.joined(separator: " ") } ?? "")")
            }
            for y in yoy {
                print("year on year \(y.region) \(y.category): \(y.period) \(y.count) vs \(y.previousPeriod) \(y.previous)\(y.change.map { String(format: " (%+.1f %%)", $0 * 100) } ?? "")")
            }
            let raised = alerts.filter(\.alert)
            print("\(raised.count) alert(s) among \(alerts.count) tested counts (q ≤ \(alpha))")
            for a in raised {
                print(String(format: "ALERT %@ %@ %@: observed %d, expected %.1f, p %.2g, q %.2g — %@", a.region, a.category, a.period,
                             a.observed, a.expected, a.pValue, a.qValue, a.model))
            }
        }
    }

    struct Regions: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Regional statistics (Kazakhstan Form 1-M) as series per region and Criminal Code article.",
            discussion: """
                --data takes the combined CSV (comb_total_by_region.csv: one all-article total per region) and/or \
                the regional workbooks (*.XLSX, sheet R1: every article, in proceedings and registered).
                """)
        @Option(help: "Regional CSV and/or workbook file(s), comma-separated.") var data: String
        @Option(help: "Regional format: schemas/forecast-FORMAT.json (kz-form1m).") var format: String = "kz-form1m"
        @Option(help: "Read the format from this schema file instead.") var schema: String?
        @Option(help: "Workbooks: registered or in_proceedings.") var measure: String = "registered"
        @Flag(help: "Print JSON.") var json = false

        struct Output: Encodable {
            var period: String
            var counts: [RegionalCount]
            var rejections: [IntakeRejection]
        }

        func run() throws {
            let dirs = [FileManager.default.currentDirectoryPath, URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path]
            guard let path = schema ?? SchemaLocator.find(format: format, from: dirs) else {
                throw ValidationError("no schema schemas/\(SchemaLocator.fileName(format: format)) found")
            }
            var counts: [RegionalCount] = []
            var rejections: [IntakeRejection] = []
            let s: RegionalSchema
            do {
                s = try RegionalSchema.load(path: path)
                for file in data.split(separator: ",").map(String.init) {
                    let r = file.lowercased().hasSuffix(".xlsx") ? try RegionalStatistics.readWorkbook(path: file, schema: s)
                                                                 : try RegionalStatistics.read(path: file, schema: s)
                    counts += r.counts
                    rejections += r.rejections
                }
            } catch { throw ValidationError(error.description) }
            for r in rejections { forecastLog("rejected \(r)") }
            if json {
                print(try forecastJSON(Output(period: s.period, counts: counts, rejections: rejections), snakeCase: true))
                return
            }
            let fromWorkbooks = counts.contains { $0.measure != "in_proceedings" || $0.article != "ALL" }
            let shown = counts.filter { fromWorkbooks ? $0.measure == measure : true }
            let totals = shown.filter { $0.article == "ALL" }
            let grand = totals.reduce(0) { $0 + $1.count }
            print("\(s.period), \(fromWorkbooks ? measure : s.measure); \(totals.count) regions, \(rejections.count) rejected")
            for t in totals.sorted(by: { $0.count > $1.count }) {
                var line = String(format: "%@\t%@\t%d\t%.1f %%", t.kato, t.region, t.count, grand > 0 ? Double(t.count) / Double(grand) * 100 : 0)
                if fromWorkbooks {
                    var byCategory: [String: Int] = [:]
                    for c in shown where c.kato == t.kato && c.article != "ALL" && c.partOf == nil {
                        byCategory[String(c.category.split(separator: ".").first!), default: 0] += c.count
                    }
                    line += "\t" + byCategory.sorted { $0.value > $1.value }.prefix(5).map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                }
                print(line)
            }
        }
    }
}
