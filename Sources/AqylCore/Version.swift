public enum AqylVersion { public static let value = "0.1.0" }
