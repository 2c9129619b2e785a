import Foundation

/// A one-dimensional constant-velocity Kalman filter: state (position, velocity) with a
/// 2×2 covariance.
///
/// Both box filters below use a constant-velocity transition `F = [[I, I], [0, I]]`,
/// observation `H = [I, 0]` and *diagonal* initial covariance, process noise and measurement
/// noise. With that structure the full 8×8 (or 7×7) covariance stays block-diagonal in
/// (coordinate, velocity-of-that-coordinate) pairs for ever, so the filter factorises exactly
/// into independent 1-D filters. Running them separately gives the same numbers as the dense
/// matrix filter (filterpy / ByteTrack) up to floating-point rounding, with no allocation.
public struct ConstantVelocity1D: Sendable, Hashable {
    public var position: Double
    public var velocity: Double
    /// Covariance entries P = [[p00, p01], [p01, p11]].
    public var p00: Double
    public var p01: Double
    public var p11: Double

    public init(position: Double, velocity: Double = 0, positionVariance: Double, velocityVariance: Double) {
        self.position = position
        self.velocity = velocity
        p00 = positionVariance
        p01 = 0
        p11 = velocityVariance
    }

    /// x ← F x, P ← F P Fᵀ + diag(qPosition, qVelocity).
    @inlinable
    public mutating func predict(qPosition: Double, qVelocity: Double) {
        position += velocity
        p00 = p00 + 2 * p01 + p11 + qPosition
        p01 = p01 + p11
        p11 = p11 + qVelocity
    }

    /// Standard Kalman update with scalar measurement `z` of the position, variance `r`.
    @inlinable
    public mutating func update(measurement z: Double, variance r: Double) {
        let s = p00 + r
        let k0 = p00 / s
        let k1 = p01 / s
        let innovation = z - position
        position += k0 * innovation
        velocity += k1 * innovation
        let n00 = (1 - k0) * p00
        let n01 = (1 - k0) * p01
        let n11 = p11 - k1 * p01
        p00 = n00
        p01 = n01
        p11 = n11
    }

    /// Innovation variance of the position (H P Hᵀ + r).
    public func innovationVariance(measurementVariance r: Double) -> Double { p00 + r }
}

/// ByteTrack / DeepSORT box Kalman filter. State: centre x, centre y, aspect ratio a = w/h,
/// height h and their velocities (8-D). Noise scales with the box height, exactly like
/// ByteTrack's `KalmanFilter` (std_weight_position = 1/20, std_weight_velocity = 1/160).
public struct BoxKalmanFilter: Sendable, Hashable {
    public static let stdWeightPosition = 1.0 / 20
    public static let stdWeightVelocity = 1.0 / 160

    /// cx, cy, a, h components.
    public var axes: [ConstantVelocity1D]

    public init(box: BoundingBox) {
        let h = box.h
        let a = box.h > 0 ? box.w / box.h : 0
        let sp = 2 * Self.stdWeightPosition * h
        let sv = 10 * Self.stdWeightVelocity * h
        axes = [
            ConstantVelocity1D(position: box.cx, positionVariance: sp * sp, velocityVariance: sv * sv),
            ConstantVelocity1D(position: box.cy, positionVariance: sp * sp, velocityVariance: sv * sv),
            ConstantVelocity1D(position: a, positionVariance: 1e-2 * 1e-2, velocityVariance: 1e-5 * 1e-5),
            ConstantVelocity1D(position: h, positionVariance: sp * sp, velocityVariance: sv * sv),
        ]
    }

    /// Current state estimate as a box.
    public var box: BoundingBox {
        let h = axes[3].position
        return BoundingBox(cx: axes[0].position, cy: axes[1].position, w: axes[2].position * h, h: h)
    }

    /// Velocity of the box centre in pixels per frame.
    public var centreVelocity: (dx: Double, dy: Double) { (axes[0].velocity, axes[1].velocity) }

    /// Predict one frame ahead. `freezeHeightVelocity` mirrors ByteTrack, which zeroes the
    /// height velocity of tracks that are not currently tracked before predicting.
    public mutating func predict(freezeHeightVelocity: Bool = false) {
        if freezeHeightVelocity { axes[3].velocity = 0 }
        let h = axes[3].position
        let qp = (Self.stdWeightPosition * h) * (Self.stdWeightPosition * h)
        let qv = (Self.stdWeightVelocity * h) * (Self.stdWeightVelocity * h)
        axes[0].predict(qPosition: qp, qVelocity: qv)
        axes[1].predict(qPosition: qp, qVelocity: qv)
        axes[2].predict(qPosition: 1e-4, qVelocity: 1e-10)
        axes[3].predict(qPosition: qp, qVelocity: qv)
    }

    /// Correct with a measured box.
    public mutating func update(box m: BoundingBox) {
        let h = axes[3].position
        let r = (Self.stdWeightPosition * h) * (Self.stdWeightPosition * h)
        axes[0].update(measurement: m.cx, variance: r)
        axes[1].update(measurement: m.cy, variance: r)
        axes[2].update(measurement: m.h > 0 ? m.w / m.h : axes[2].position, variance: 1e-2)
        axes[3].update(measurement: m.h, variance: r)
    }
}

/// SORT's box Kalman filter (Bewley et al. 2016, filterpy `KalmanFilter(dim_x=7, dim_z=4)`).
/// State: centre x, centre y, scale s = area, ratio r = w/h, and velocities of cx, cy, s
/// (r is modelled constant). Noise settings are SORT's: R[2:,2:] *= 10, P[4:,4:] *= 1000,
/// P *= 10, Q[-1,-1] *= 0.01, Q[4:,4:] *= 0.01 (so Q = diag(1, 1, 1, 1, 0.01, 0.01, 0.0001)).
public struct SORTKalmanFilter: Sendable, Hashable {
    public var cx: ConstantVelocity1D
    public var cy: ConstantVelocity1D
    public var s: ConstantVelocity1D
    /// Ratio w/h (no velocity) and its variance.
    public var r: Double
    public var rVariance: Double

    public init(box: BoundingBox) {
        cx = ConstantVelocity1D(position: box.cx, positionVariance: 10, velocityVariance: 10_000)
        cy = ConstantVelocity1D(position: box.cy, positionVariance: 10, velocityVariance: 10_000)
        s = ConstantVelocity1D(position: box.w * box.h, positionVariance: 10, velocityVariance: 10_000)
        r = box.h != 0 ? box.w / box.h : 0
        rVariance = 10
    }

    /// State as a box (NaN components when the predicted area is negative, as in SORT).
    public var box: BoundingBox {
        let w = (s.position * r).squareRoot()
        let h = w != 0 ? s.position / w : 0
        return BoundingBox(cx: cx.position, cy: cy.position, w: w, h: h)
    }

    public mutating func predict() {
        // SORT: if the predicted area would become non-positive, zero the area velocity.
        if s.velocity + s.position <= 0 { s.velocity = 0 }
        cx.predict(qPosition: 1, qVelocity: 0.01)
        cy.predict(qPosition: 1, qVelocity: 0.01)
        s.predict(qPosition: 1, qVelocity: 0.0001)
        rVariance += 1 // Q[3,3] = 1 (only the velocity entries are scaled by 0.01)
    }

    public mutating func update(box m: BoundingBox) {
        cx.update(measurement: m.cx, variance: 1)
        cy.update(measurement: m.cy, variance: 1)
        s.update(measurement: m.w * m.h, variance: 10)
        let z = m.h != 0 ? m.w / m.h : 0
        let k = rVariance / (rVariance + 10)
        r += k * (z - r)
        rVariance = (1 - k) * rVariance
    }
}
