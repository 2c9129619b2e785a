public enum AqylMLVersion { public static let value = "0.1.0" }
