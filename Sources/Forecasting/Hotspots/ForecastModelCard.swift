import AqylML
import Foundation

/// What every forecast carries: its data window, method, accuracy on held-back past data, the feedback-loop guard
/// and how its exposure falls on districts compared with where incidents were. Encoded as JSON beside the cells
/// (`CELLS.card.json`) and rendered as Markdown (`CELLS.card.md`).
public struct ForecastModelCard: Sendable, Codable {
    public var product = "aqyl forecast hotspots"
    public var statement = "Forecasts places and times, never people: no person-level score exists in the Forecasting domain."
    public var taxonomy = OffenceTaxonomy.version
    public var category: String
    public var methodRequested: String
    public var method: String
    public var methodSpec: MethodSpec
    public var parameters: [String: Double]
    public var scoreMeaning: String
    public var dataWindow: DataWindow
    public var forecastWindow: ForecastWindow
    public var grid: GridInfo
    public var studyArea: StudyArea
    public var cells: Int
    public var areaSquareMetres: Double
    public var heldBack: HeldBack
    public var feedbackGuard: FeedbackGuard
    public var exposure: Exposure
    public var timing: Timing

    /// Seconds spent preparing the grid, selecting the configuration on held-back data, and forecasting.
    public struct Timing: Sendable, Codable {
        public var prepare: Double
        public var selection: Double
        public var forecast: Double
        public var total: Double
    }

    public struct DataWindow: Sendable, Codable {
        public var firstDay: String
        public var lastDay: String
        public var incidentsAll: Int
        public var incidentsCategory: Int
        public var resolutionDays: Int
        public var files: [InputFile]
        public var rejectedRows: Int
    }

    public struct ForecastWindow: Sendable, Codable {
        public var from: String
        public var days: Int
    }

    public struct GridInfo: Sendable, Codable {
        public var coordinates: String
        public var cellMetres: Double
        /// Cell side in the working plane's unit (the data's unit for projected data, metres for lon/lat).
        public var cellUnits: Double
        public var originX: Double
        public var originY: Double
        public var columns: Int
        public var rows: Int
        public var projection: LocalEquirectangular?
        /// Largest relative length error of the projection over the data's latitudes (lon/lat data only).
        public var projectionMaxScaleError: Double?
        public var note: String
    }

    public struct StudyArea: Sendable, Codable {
        public var squareMetres: Double
        public var activeCells: Int
        public var rule: String
    }

    public struct FoldInfo: Sendable, Codable {
        public var label: String
        public var origin: String
        public var trainIncidents: Int
        public var testIncidents: Int
    }

    public struct CandidateFigures: Sendable, Codable {
        public var method: String
        public var meanPai: Double
        public var meanPei: Double
        public var perFold: [HotspotScore]
    }

    public struct HeldBack: Sendable, Codable {
        /// "rolling origin", "split-half" or "none".
        public var scheme: String
        public var folds: [FoldInfo]
        /// The chosen configuration's figures.
        public var chosen: CandidateFigures?
        public var naive: CandidateFigures?
        public var candidates: [CandidateFigures]
        public var note: String
    }

    public struct FeedbackGuard: Sendable, Codable {
        public var discoveredWeight: Double
        public var rule: String
        public var reported: Int
        public var policeDiscovered: Int
        public var unknown: Int
        /// police-discovered / all incidents of the category in the data window.
        public var discoveredShare: Double
    }

    public struct ExposureRow: Sendable, Codable {
        public var district: String
        public var incidentShare: Double
        public var exposureShare: Double
        /// exposure share / incident share (> 1: flagged more often than its share of incidents).
        public var ratio: Double?
    }

    public struct Exposure: Sendable, Codable {
        public var unit: String
        /// Forecasts counted: the held-back ones of the chosen configuration and this one.
        public var forecasts: Int
        public var rows: [ExposureRow]
        public var note: String
    }

    static func make(data: Prepared, options o: HotspotOptions, folds: [Fold], evaluations: [CandidateEvaluation],
                     chosen: MethodSpec, bestKDE: MethodSpec, seppSpec: MethodSpec, final: MethodOutput,
                     selected: [Int], timing: Timing) -> ForecastModelCard {
        var parameters: [String: Double] = [:]
        if let h = chosen.bandwidthMetres { parameters["bandwidth_m"] = h }
        if let hl = chosen.halfLifeDays { parameters["half_life_days"] = hl }
        if let fit = final.sepp {
            parameters["branching_ratio"] = fit.branchingRatio
            parameters["decay_per_day"] = fit.decayRate
            parameters["trigger_sigma_m"] = fit.triggerSigma * data.frame.metresPerUnit
            parameters["background_share"] = fit.backgroundShare(weights: data.category.map { data.weight[$0] })
            parameters["em_iterations"] = Double(fit.iterations)
            parameters["trigger_pairs"] = Double(fit.pairs)
        }
        let scoreMeaning: String
        switch chosen.method {
        case .naive, .auto: scoreMeaning = "incidents in the cell over the data window (police-discovered ones weighted)"
        case .kde: scoreMeaning = "expected incidents in the forecast window at the data window's rate (kernel density integrated over the cell)"
        case .sepp: scoreMeaning = "expected incidents in the forecast window: background rate plus the past incidents' remaining triggered offspring"
        }
        let lastDay = data.history.map(\.endDay).max()! - 1
        let files = data.set.files
        let g = data.grid
        let gridInfo = GridInfo(
            coordinates: data.crs.label, cellMetres: o.cellMetres, cellUnits: data.cellUnits, originX: g.originX,
            originY: g.originY, columns: g.columns, rows: g.rows, projection: data.frame.projection,
            projectionMaxScaleError: data.projectionError,
            note: data.frame.projection == nil
                ? "cells are squares in the data's own projected units; areas in those units converted to m²"
                : "metre grid in a local equirectangular projection, cells written back as exact longitude/latitude rectangles; areas on the WGS84 ellipsoid")
        let scheme: String
        if folds.isEmpty { scheme = "none" } else if folds[0].label.hasPrefix("split") { scheme = "split-half" } else { scheme = "rolling origin" }
        func figures(_ e: CandidateEvaluation) -> CandidateFigures {
            CandidateFigures(method: e.spec.description, meanPai: e.meanPAI, meanPei: e.meanPEI, perFold: e.scores)
        }
        let chosenEval = evaluations.first { $0.spec == chosen }
        let naiveEval = evaluations.first { $0.spec.method == .naive }
        let heldBackNote: String
        switch scheme {
        case "rolling origin":
            heldBackNote = "Each origin trains on what ended by it and scores the next \(o.days) days; every setting was chosen on these past periods only. The chosen configuration's figures are optimistic by the selection among \(evaluations.count) candidates."
        case "split-half":
            heldBackNote = "No rolling origin fits (the data window has no earlier period to train on), so the history was split in two seeded halves, each scored against the other: same period, half the data, no forecast in time."
        default:
            heldBackNote = "Too little history for any held-back evaluation; the method is the requested one or the default."
        }
        let heldBack = HeldBack(
            scheme: scheme,
            folds: folds.map { FoldInfo(label: $0.label, origin: CivilDay.string($0.originDay), trainIncidents: $0.train.count, testIncidents: $0.test.count) },
            chosen: chosenEval.map(figures), naive: naiveEval.map(figures),
            candidates: evaluations.sorted { CandidateEvaluation.worse($1, $0) }.map(figures), note: heldBackNote)
        var reported = 0, discovered = 0, unknown = 0
        for i in data.category {
            switch data.history[i].origin {
            case .reported: reported += 1
            case .policeDiscovered: discovered += 1
            case .unknown: unknown += 1
            }
        }
        let guardInfo = FeedbackGuard(
            discoveredWeight: o.discoveredWeight,
            rule: data.set.originRule ?? "the source does not tell who found an incident: no incident is down-weighted",
            reported: reported, policeDiscovered: discovered, unknown: unknown,
            discoveredShare: data.category.isEmpty ? 0 : Double(discovered) / Double(data.category.count))
        var exposureSelections = chosenEval?.selections ?? []
        exposureSelections.append(selected)
        let exposure = Self.exposure(data: data, selections: exposureSelections)
        return ForecastModelCard(
            category: o.category, methodRequested: o.method.rawValue, method: chosen.description, methodSpec: chosen,
            parameters: parameters, scoreMeaning: scoreMeaning,
            dataWindow: DataWindow(firstDay: CivilDay.string(data.firstDay), lastDay: CivilDay.string(lastDay),
                                   incidentsAll: data.history.count, incidentsCategory: data.category.count,
                                   resolutionDays: data.resolutionDays, files: files, rejectedRows: data.set.rejections.count),
            forecastWindow: ForecastWindow(from: CivilDay.string(o.fromDay), days: o.days),
            grid: gridInfo,
            studyArea: StudyArea(squareMetres: data.studyArea, activeCells: data.activeCells,
                                 rule: "grid cells holding at least one incident of any category in the data window"),
            cells: selected.count, areaSquareMetres: selected.reduce(0.0) { $0 + data.cellArea($1) },
            heldBack: heldBack, feedbackGuard: guardInfo, exposure: exposure, timing: timing)
    }

    /// Share of flagged cells per district beside the district's share of the category's incidents. A cell belongs
    /// to the district most of its incidents (any category) carry; without a district field, to a block of 10×10
    /// cells.
    static func exposure(data: Prepared, selections: [[Int]]) -> Exposure {
        let hasDistricts = data.history.contains { $0.district != nil }
        let unit: String
        func blockName(_ cell: Int) -> String {
            let c = (cell % data.grid.columns) / 10, r = (cell / data.grid.columns) / 10
            return "block \(c),\(r)"
        }
        var cellDistrict: [Int: String] = [:]
        if hasDistricts {
            unit = data.set.districtLabel ?? "district"
            var votes: [Int: [String: Int]] = [:]
            for (i, inc) in data.history.enumerated() where data.cellOf[i] >= 0 {
                if let d = inc.district { votes[data.cellOf[i], default: [:]][d, default: 0] += 1 }
            }
            for (cell, v) in votes {
                cellDistrict[cell] = v.max { a, b in a.value != b.value ? a.value < b.value : a.key > b.key }!.key
            }
        } else {
            unit = "block of 10×10 grid cells (the source has no district field)"
        }
        var incidentCounts: [String: Int] = [:]
        for i in data.category {
            let d: String
            if hasDistricts { d = data.history[i].district ?? "(none)" } else { d = blockName(max(0, data.cellOf[i])) }
            incidentCounts[d, default: 0] += 1
        }
        var flagged: [String: Int] = [:]
        var totalFlagged = 0
        for s in selections {
            for cell in s {
                let d = hasDistricts ? (cellDistrict[cell] ?? "(no incidents in cell)") : blockName(cell)
                flagged[d, default: 0] += 1
                totalFlagged += 1
            }
        }
        let totalIncidents = max(1, data.category.count)
        let names = Set(incidentCounts.keys).union(flagged.keys)
        var rows = names.map { d -> ExposureRow in
            let inc = Double(incidentCounts[d] ?? 0) / Double(totalIncidents)
            let exp = totalFlagged > 0 ? Double(flagged[d] ?? 0) / Double(totalFlagged) : 0
            return ExposureRow(district: d, incidentShare: inc, exposureShare: exp, ratio: inc > 0 ? exp / inc : nil)
        }
        rows.sort { a, b in
            if a.exposureShare != b.exposureShare { return a.exposureShare > b.exposureShare }
            if a.incidentShare != b.incidentShare { return a.incidentShare > b.incidentShare }
            return a.district < b.district
        }
        return Exposure(unit: unit, forecasts: selections.count, rows: rows,
                        note: "exposure share = flagged cells in the district / all flagged cells over \(selections.count) forecast(s); incident share over the data window; a hotspot map concentrates by design, so read the ratio beside the incident share, not alone")
    }

    /// A short Markdown rendering.
    public func markdown(maxDistricts: Int = 15) -> String {
        func f(_ v: Double?, _ digits: Int = 3) -> String { v.map { String(format: "%.\(digits)f", $0) } ?? "–" }
        var s = "# Forecast model card\n\n\(statement)\n\n"
        s += "| | |\n|---|---|\n"
        s += "| category | \(category) (\(taxonomy)) |\n"
        s += "| method | \(method) (requested: \(methodRequested)) |\n"
        for (k, v) in parameters.sorted(by: { $0.key < $1.key }) { s += "| \(k) | \(f(v, 4)) |\n" }
        s += "| score | \(scoreMeaning) |\n"
        s += "| data window | \(dataWindow.firstDay) – \(dataWindow.lastDay), \(dataWindow.incidentsCategory) incidents of the category, \(dataWindow.incidentsAll) in all; \(dataWindow.rejectedRows) rows rejected |\n"
        s += "| forecast window | \(forecastWindow.days) days from \(forecastWindow.from) |\n"
        s += "| grid | \(f(grid.cellMetres, 0)) m cells, \(grid.columns)×\(grid.rows), \(grid.coordinates) |\n"
        if let e = grid.projectionMaxScaleError { s += "| projection error | up to \(f(e * 100, 2)) % in length over the data's latitudes |\n" }
        s += "| study area A | \(f(studyArea.squareMetres / 1e6, 2)) km² (\(studyArea.activeCells) cells: \(studyArea.rule)) |\n"
        s += "| forecast area a | \(f(areaSquareMetres / 1e6, 3)) km² in \(cells) cells |\n"
        s += "| seconds | \(f(timing.total, 2)) (selection \(f(timing.selection, 2)), forecast \(f(timing.forecast, 2))) |\n\n"
        s += "## Accuracy on held-back past data (\(heldBack.scheme))\n\n\(heldBack.note)\n\n"
        for fold in heldBack.folds { s += "- \(fold.label): \(fold.trainIncidents) training, \(fold.testIncidents) test incidents\n" }
        s += "\n| configuration | mean PAI | mean PEI* |\n|---|---|---|\n"
        for c in heldBack.candidates.prefix(12) { s += "| \(c.method) | \(f(c.meanPai, 2)) | \(f(c.meanPei, 3)) |\n" }
        s += "\n## Feedback-loop guard\n\nPolice-discovered incidents weigh \(f(feedbackGuard.discoveredWeight, 2)). \(feedbackGuard.rule)\n\n"
        s += "Reported \(feedbackGuard.reported), police-discovered \(feedbackGuard.policeDiscovered), unknown \(feedbackGuard.unknown): discovered share \(f(feedbackGuard.discoveredShare * 100, 1)) %.\n\n"
        s += "## Exposure by \(exposure.unit)\n\n\(exposure.note).\n\n| district | incident share | exposure share | ratio |\n|---|---|---|---|\n"
        for r in exposure.rows.prefix(maxDistricts) {
            s += "| \(r.district) | \(f(r.incidentShare * 100, 1)) % | \(f(r.exposureShare * 100, 1)) % | \(f(r.ratio, 2)) |\n"
        }
        if exposure.rows.count > maxDistricts { s += "\n(\(exposure.rows.count - maxDistricts) more in the JSON card)\n" }
        return s
    }
}
