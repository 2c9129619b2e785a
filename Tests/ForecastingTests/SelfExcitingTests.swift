import AqylML
import Foundation
import Testing

/// EM on a simulated self-exciting process recovers its parameters (seeded, so deterministic).
@Suite struct SelfExcitingTests {
    @Test func recoversBranchingDecayAndSigma() {
        let truth = (theta: 0.4, omega: 0.3, sigma: 60.0)
        let points = SelfExcitingProcess.simulate(backgroundRate: 1e-7, width: 10_000, height: 10_000, duration: 300,
                                                  branchingRatio: truth.theta, decayRate: truth.omega, sigma: truth.sigma, seed: 42)
        #expect(points.count > 3_500 && points.count < 7_000)
        var o = SelfExcitingOptions(backgroundBandwidth: 800, windowStart: 0, windowEnd: 300, sigmaRange: 5...200)
        o.maximumLag = 60
        o.initialBranching = 0.2
        o.initialDecay = 0.1
        o.initialSigma = 150
        o.maxIterations = 300
        o.tolerance = 1e-6
        let fit = SelfExcitingProcess.fit(points, options: o)
        #expect(abs(fit.branchingRatio - truth.theta) < 0.08, "θ \(fit.branchingRatio)")
        #expect(abs(fit.decayRate - truth.omega) / truth.omega < 0.25, "ω \(fit.decayRate)")
        #expect(abs(fit.triggerSigma - truth.sigma) / truth.sigma < 0.15, "σ \(fit.triggerSigma)")
        #expect(fit.converged)
    }

    @Test func noTriggeringWithoutTimeOrder() {
        // Every event in one interval (monthly data): no causal pair, θ = 0, all background.
        let p = SpaceTimePoints(x: [0, 10, 20, 500], y: [0, 5, 0, 500], t: [15.5, 15.5, 15.5, 15.5])
        var o = SelfExcitingOptions(backgroundBandwidth: 100, windowStart: 0, windowEnd: 31, sigmaRange: 1...50)
        o.minimumLag = 31
        let fit = SelfExcitingProcess.fit(p, options: o)
        #expect(fit.branchingRatio == 0 && fit.pairs == 0)
        #expect(fit.backgroundProbability.allSatisfy { $0 == 1 })
    }

    @Test func simulationIsDeterministic() {
        let a = SelfExcitingProcess.simulate(backgroundRate: 1e-9, width: 1000, height: 1000, duration: 50,
                                             branchingRatio: 0.3, decayRate: 0.5, sigma: 20, seed: 7)
        let b = SelfExcitingProcess.simulate(backgroundRate: 1e-9, width: 1000, height: 1000, duration: 50,
                                             branchingRatio: 0.3, decayRate: 0.5, sigma: 20, seed: 7)
        #expect(a == b)
    }

    @Test func gaussianCellMassIntegratesToTheWeights() {
        let grid = RegularGrid(originX: 0, originY: 0, cell: 10, columns: 40, rows: 40)
        let x = [200.0, 203.3], y = [200.0, 191.7], w = [2.0, 1.0]
        for h in [2.0, 10.0, 25.0] {           // exact per point below one cell, binned from one cell up
            let m = GridDensity.gaussianCellMass(grid: grid, x: x, y: y, weights: w, bandwidth: h)
            #expect(abs(m.reduce(0, +) - 3) < 1e-3, "h \(h)")
        }
        // h → 0 is the plain count.
        let c = GridDensity.gaussianCellMass(grid: grid, x: x, y: y, weights: w, bandwidth: 0)
        #expect(c[grid.index(x: 200, y: 200)!] == 2)
    }
}
