import Foundation

/// A payment or contact detail found in a citizen's report, with the result of its checks.
public struct ExtractedDetail: Sendable, Codable, Equatable, Hashable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case card, iban, phone, telegram, instagram, bitcoin, ethereum, tron, link
    }
    public var kind: Kind
    /// Normalised: card digits, upper-case IBAN without spaces, E.164 phone, handle without @ (lower case), the address
    /// as written (crypto), the URL (links).
    public var value: String
    /// As it appeared in the text.
    public var raw: String
    /// Every check of its kind passed (check digits, checksum, length, allowed characters).
    public var valid: Bool
    /// Why it is not valid (nil when valid).
    public var problem: String?
    /// What the checks learnt: scheme, issuer, country, operator, network, checksum kind.
    public var info: [String: String]

    public init(kind: Kind, value: String, raw: String, valid: Bool, problem: String? = nil, info: [String: String] = [:]) {
        self.kind = kind; self.value = value; self.raw = raw; self.valid = valid; self.problem = problem; self.info = info
    }
}

/// Card issuer prefixes (BINs/IINs). A BIN says which bank issued a card; the table is data, to be refreshed from the
/// payment systems' BIN files or the issuers, and can be loaded from CSV (`prefix,bank,country,scheme,source`).
public struct BINTable: Sendable {
    public struct Entry: Sendable, Codable, Equatable {
        public var prefix: String
        public var bank: String
        public var country: String
        public var scheme: String?
        public var source: String
    }
    public private(set) var entries: [Entry]

    public init(_ entries: [Entry]) { self.entries = entries.sorted { $0.prefix.count > $1.prefix.count } }

    /// The built-in entries. Each names its source; none was checked against an issuer's BIN file in this work (no
    /// such file is available offline), so load the operator's table before relying on issuer names.
    public static let builtIn = BINTable([
        Entry(prefix: "440043", bank: "Kaspi Bank", country: "KZ", scheme: "Visa",
              source: "Kaspi Gold card prefix as commonly listed in public BIN listings; unverified, confirm with the issuer"),
    ])

    /// Longest matching prefix.
    public func lookup(_ digits: String) -> Entry? { entries.first { digits.hasPrefix($0.prefix) } }

    /// Reads `prefix,bank,country,scheme,source` rows; bad rows are reported, never guessed.
    public static func load(csv data: Data, file: String) throws(IntakeError) -> (table: BINTable, issues: [IntakeIssue]) {
        let r = try GraphCSV.read(data: data, file: file, threads: 1) { $0 }
        let c = CSVColumns(header: r.header, file: file)
        let p = try c.require(["prefix", "bin"]), b = try c.require(["bank", "issuer"])
        let co = c.find(["country"]), sc = c.find(["scheme"]), so = c.find(["source"])
        var entries: [Entry] = [], issues = r.malformed
        for part in r.parts {
            for rec in part {
                guard rec.fields.count == r.header.count else {
                    issues.append(IntakeIssue(file: file, line: rec.line, reason: "expected \(r.header.count) fields, found \(rec.fields.count)")); continue
                }
                let prefix = rec.fields[p].trimmed
                guard (4...8).contains(prefix.count), prefix.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                    issues.append(IntakeIssue(file: file, line: rec.line, column: r.header[p], reason: "'\(prefix)' is not a 4–8 digit prefix")); continue
                }
                entries.append(Entry(prefix: prefix, bank: rec.fields[b].trimmed, country: co.map { rec.fields[$0].trimmed } ?? "",
                                     scheme: sc.map { rec.fields[$0].trimmed }, source: so.map { rec.fields[$0].trimmed } ?? file))
            }
        }
        return (BINTable(entries), issues)
    }
}

/// Extraction and validation of payment and contact details in free text.
public enum PaymentDetails {
    // MARK: single values

    /// Card scheme from the number's prefix and length (the schemes' published ranges: Visa 4; Mastercard 51–55 and
    /// 2221–2720; Mir 2200–2204; UnionPay 62; American Express 34, 37; JCB 3528–3589; Maestro 50, 56–58, 6).
    public static func scheme(_ d: String) -> String? {
        let p2 = Int(d.prefix(2)) ?? -1, p4 = Int(d.prefix(4)) ?? -1
        switch true {
        case d.hasPrefix("4"): return "Visa"
        case (2200...2204).contains(p4): return "Mir"
        case (51...55).contains(p2) || (2221...2720).contains(p4): return "Mastercard"
        case p2 == 62: return "UnionPay"
        case p2 == 34 || p2 == 37: return "American Express"
        case (3528...3589).contains(p4): return "JCB"
        case p2 == 50 || (56...58).contains(p2) || d.hasPrefix("6"): return "Maestro"
        default: return nil
        }
    }

    /// A card number (13–19 digits, spaces or dashes allowed): Luhn check, scheme, issuer from `bins`.
    public static func card(_ raw: String, bins: BINTable = .builtIn) -> ExtractedDetail {
        let digits = raw.filter { ("0"..."9").contains($0) }
        var info: [String: String] = [:]
        if let s = scheme(digits) { info["scheme"] = s }
        if let e = bins.lookup(digits) {
            info["issuer"] = e.bank; info["country"] = e.country; info["bin_source"] = e.source
        }
        var problem: String?
        if !(13...19).contains(digits.count) {
            problem = "a card number has 13 to 19 digits, this has \(digits.count)"
        } else if !CheckDigits.luhn(digits.utf8.map { $0 - 0x30 }) {
            problem = "the Luhn check digit does not match (a mistyped or invented number)"
        } else if info["scheme"] == nil {
            problem = "no card scheme uses this prefix"
        }
        return ExtractedDetail(kind: .card, value: digits, raw: raw, valid: problem == nil, problem: problem, info: info)
    }

    /// Bank codes (the three digits after the check digits) of a few Kazakh banks, from the National Bank of
    /// Kazakhstan's 2010 directory of bank identification codes (as reproduced at forum.banker.kz/topic/33308).
    public static let kazakhBankCodes: [String: String] = [
        "722": "Kaspi Bank (CASPKZKA)", "947": "Alfa-Bank (ALFAKZKA)", "826": "ATFBank (ALMNKZKA)",
        "832": "Citibank Kazakhstan (CITIKZKA)", "913": "Bank of China Kazakhstan (BKCHKZKA)",
        "907": "Development Bank of Kazakhstan (DVKAKZKA)",
    ]

    /// A Kazakh IBAN (ISO 13616): KZ, two check digits, a 3-digit bank code and 13 characters; 20 in all, mod 97 = 1.
    public static func iban(_ raw: String) -> ExtractedDetail {
        let v = String(raw.uppercased().filter { !$0.isWhitespace && $0 != "-" })
        var info: [String: String] = ["country": String(v.prefix(2))]
        var problem: String?
        let u = Array(v.utf8)
        if !v.hasPrefix("KZ") {
            problem = "not a Kazakh IBAN (it must start with KZ)"
        } else if u.count != 20 {
            problem = "a Kazakh IBAN has 20 characters, this has \(u.count)"
        } else if !u.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) }) {
            problem = "an IBAN holds only letters and digits"
        } else if !u[2..<7].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            problem = "the check digits and bank code must be digits"
        } else if CheckDigits.ibanMod97(v) != 1 {
            problem = "the check digits do not match (mod 97 is not 1)"
        }
        if u.count >= 7 {
            let code = String(decoding: u[4..<7], as: UTF8.self)
            info["bank_code"] = code
            if let b = kazakhBankCodes[code] { info["bank"] = b }
        }
        return ExtractedDetail(kind: .iban, value: v, raw: raw, valid: problem == nil, problem: problem, info: info)
    }

    /// Mobile codes of Kazakh operators (DEF codes; a number may have been ported to another operator since).
    public static let kazakhMobileCodes: [String: String] = [
        "700": "Altel", "701": "Kcell", "702": "Kcell", "705": "Beeline", "706": "Beeline", "707": "Tele2", "708": "Altel",
        "747": "Tele2", "771": "Beeline", "775": "Kcell (Activ)", "776": "Beeline", "777": "Beeline", "778": "Kcell (Activ)",
    ]

    /// A +7 number (+7, 8 or 7 then ten digits): country code 7 is shared; Kazakhstan's numbers start with 6 or 7 after
    /// it, Russia's with 3, 4, 8 or 9.
    public static func phone(_ raw: String) -> ExtractedDetail {
        var d = raw.filter { ("0"..."9").contains($0) }
        let plus = raw.trimmed.hasPrefix("+")
        var problem: String?
        if d.count == 11 && (d.hasPrefix("7") || (!plus && d.hasPrefix("8"))) { d = String(d.dropFirst()) } else if d.count == 10 && !plus {
            // national number written without the prefix
        } else {
            problem = "a +7 number has ten digits after +7 (or 8)"
        }
        var info: [String: String] = [:]
        if problem == nil {
            switch d.first {
            case "6", "7":
                info["country"] = "KZ"
                let code = String(d.prefix(3))
                if let op = kazakhMobileCodes[code] { info["operator"] = op; info["type"] = "mobile" } else { info["type"] = "landline or other" }
            case "3", "4", "8", "9": info["country"] = "RU"
            default: problem = "no +7 number starts with \(d.first.map(String.init) ?? "")"
            }
        }
        let value = problem == nil ? "+7" + d : raw.trimmed
        return ExtractedDetail(kind: .phone, value: value, raw: raw, valid: problem == nil, problem: problem, info: info)
    }

    /// EIP-55 mixed-case checksum form of a 40-hex-digit address (without 0x).
    public static func eip55(_ hex40: String) -> String {
        let lower = hex40.lowercased()
        let hash = Keccak256.hash(Array(lower.utf8))
        var out = ""
        for (i, c) in lower.enumerated() {
            let nibble = (hash[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0xF
            out.append(c.isLetter && nibble >= 8 ? Character(c.uppercased()) : c)
        }
        return out
    }

    /// An Ethereum address: 0x and 40 hex digits; mixed case must match the EIP-55 checksum (all-lower or all-upper
    /// addresses carry no checksum and are valid but unchecked).
    public static func ethereum(_ raw: String) -> ExtractedDetail {
        let s = raw.trimmed
        var problem: String?
        var info: [String: String] = ["network": "Ethereum (or an EVM chain: same address format)"]
        let body = s.hasPrefix("0x") || s.hasPrefix("0X") ? String(s.dropFirst(2)) : ""
        if body.count != 40 || !body.allSatisfy(\.isHexDigit) {
            problem = "an Ethereum address is 0x and 40 hex digits"
        } else if body != body.lowercased() && body != body.uppercased() {
            info["checksum"] = "EIP-55"
            if eip55(body) != body { problem = "the EIP-55 mixed-case checksum does not match (a mistyped letter or digit)" }
        } else {
            info["checksum"] = "none (single case)"
        }
        return ExtractedDetail(kind: .ethereum, value: problem == nil ? "0x" + eip55(body) : s, raw: raw, valid: problem == nil,
                               problem: problem, info: info)
    }

    /// A Bitcoin mainnet address: Base58Check P2PKH (1…, version 0) or P2SH (3…, version 5), or a segwit address (bc1…,
    /// Bech32 for version 0, Bech32m for versions 1–16, BIP 173/350).
    public static func bitcoin(_ raw: String) -> ExtractedDetail {
        let s = raw.trimmed
        if s.lowercased().hasPrefix("bc1") {
            guard let w = Bech32.segwit(s, hrp: "bc") else {
                return ExtractedDetail(kind: .bitcoin, value: s, raw: raw, valid: false,
                                       problem: "not a valid bc1 address (Bech32/Bech32m checksum, length or witness version)", info: ["encoding": "bech32"])
            }
            let type = w.version == 0 ? (w.program.count == 20 ? "P2WPKH" : "P2WSH") : (w.version == 1 && w.program.count == 32 ? "P2TR" : "witness v\(w.version)")
            return ExtractedDetail(kind: .bitcoin, value: s.lowercased(), raw: raw, valid: true,
                                   info: ["encoding": w.version == 0 ? "bech32" : "bech32m", "type": type, "network": "Bitcoin"])
        }
        guard let payload = Base58.decodeCheck(s) else {
            return ExtractedDetail(kind: .bitcoin, value: s, raw: raw, valid: false,
                                   problem: "the Base58Check checksum does not match (or a character outside Base58)", info: ["encoding": "base58check"])
        }
        guard payload.count == 21, payload[0] == 0x00 || payload[0] == 0x05 else {
            return ExtractedDetail(kind: .bitcoin, value: s, raw: raw, valid: false,
                                   problem: "not a Bitcoin mainnet address (version byte \(payload.first ?? 0), \(payload.count) bytes)", info: ["encoding": "base58check"])
        }
        return ExtractedDetail(kind: .bitcoin, value: s, raw: raw, valid: true,
                               info: ["encoding": "base58check", "type": payload[0] == 0 ? "P2PKH" : "P2SH", "network": "Bitcoin"])
    }

    /// A TRON address (where USDT-TRC20 lives): Base58Check of 21 bytes starting 0x41 (so the text starts with T).
    public static func tron(_ raw: String) -> ExtractedDetail {
        let s = raw.trimmed
        guard let payload = Base58.decodeCheck(s) else {
            return ExtractedDetail(kind: .tron, value: s, raw: raw, valid: false,
                                   problem: "the Base58Check checksum does not match (or a character outside Base58)", info: ["network": "TRON"])
        }
        guard payload.count == 21, payload[0] == 0x41 else {
            return ExtractedDetail(kind: .tron, value: s, raw: raw, valid: false, problem: "not a TRON address (prefix byte must be 0x41)", info: ["network": "TRON"])
        }
        return ExtractedDetail(kind: .tron, value: s, raw: raw, valid: true, info: ["network": "TRON", "tokens": "TRX, TRC-20 (e.g. USDT)"])
    }

    /// Telegram usernames: 5–32 characters, letters, digits and underscores, starting with a letter, not ending in _.
    public static func telegramHandle(_ h: String) -> Bool {
        let u = Array(h.utf8)
        guard (5...32).contains(u.count), let f = u.first, isASCIILetter(f), u.last != 0x5F else { return false }
        return u.allSatisfy { isASCIILetter($0) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
    }

    /// Instagram usernames: 1–30 characters, letters, digits, dots and underscores, no leading/trailing or double dot.
    public static func instagramHandle(_ h: String) -> Bool {
        let u = Array(h.utf8)
        guard (1...30).contains(u.count), u.first != 0x2E, u.last != 0x2E, !h.contains("..") else { return false }
        return u.allSatisfy { isASCIILetter($0) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x2E }
    }

    @inline(__always) static func isASCIILetter(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }

    // MARK: extraction from text

    /// Every detail in `text`, in order of appearance, each once (by kind and value). Invalid candidates are kept with
    /// their problem: a mistyped card can still lead an investigator somewhere, but it is never reported as valid.
    public static func extract(_ text: String, bins: BINTable = .builtIn) -> [ExtractedDetail] {
        var found: [(pos: Int, d: ExtractedDetail)] = []
        let chars = Array(text.unicodeScalars)
        var used = [Bool](repeating: false, count: chars.count)
        func str(_ r: Range<Int>) -> String { String(String.UnicodeScalarView(chars[r])) }
        func mark(_ r: Range<Int>) { for i in r { used[i] = true } }
        let lowerText = chars.map { Character($0).lowercased() }
        let instagramContext = ["инст", "instagram", "insta", "инста", "инстаграм"].contains { text.lowercased().contains($0) }

        // 1. words: links, handles, crypto addresses, IBANs written without spaces
        var i = 0
        while i < chars.count {
            if chars[i].properties.isWhitespace { i += 1; continue }
            var j = i
            while j < chars.count && !chars[j].properties.isWhitespace { j += 1 }
            // strip surrounding punctuation
            var a = i, b = j
            let trim: Set<Character> = [".", ",", ";", ":", "!", "?", "(", ")", "[", "]", "«", "»", "\"", "'", "<", ">", "—"]
            while a < b && trim.contains(Character(chars[a])) && chars[a] != "@" { a += 1 }
            while b > a && trim.contains(Character(chars[b - 1])) { b -= 1 }
            if a < b {
                let w = str(a..<b)
                if let d = word(w, instagramContext: instagramContext, bins: bins) { found.append((a, d)); mark(a..<b) }
            }
            i = j
        }
        // 2. IBANs written in groups: KZ and 18 more letters or digits, single spaces allowed
        i = 0
        while i + 1 < chars.count {
            if !used[i] && (lowerText[i] == "k") && lowerText[i + 1] == "z" && (i == 0 || !isWordScalar(chars[i - 1])) {
                var k = i + 2, n = 0
                var end = i + 2
                while k < chars.count && n < 18 {
                    if isASCIIAlnum(chars[k]) { n += 1; k += 1; end = k } else if chars[k] == " " && k + 1 < chars.count && isASCIIAlnum(chars[k + 1]) { k += 1 } else { break }
                }
                if n == 18 && (end == chars.count || !isASCIIAlnum(chars[end])) {
                    let raw = str(i..<end)
                    if raw.filter({ $0 == " " }).count > 0 {
                        found.append((i, iban(raw))); mark(i..<end)
                        i = end; continue
                    }
                }
            }
            i += 1
        }
        // 3. numbers: cards and phones (digits with single spaces, dashes, dots or brackets between them)
        i = 0
        while i < chars.count {
            let startsNumber = !used[i] && (isDigit(chars[i]) || (chars[i] == "+" && i + 1 < chars.count && isDigit(chars[i + 1])))
            if !startsNumber || (i > 0 && (isWordScalar(chars[i - 1]) && !isDigit(chars[i - 1]))) { i += 1; continue }
            var k = i + (chars[i] == "+" ? 1 : 0)
            var end = k
            var groups: [Range<Int>] = []  // runs of digits
            var runStart = k
            while k < chars.count && !used[k] {
                if isDigit(chars[k]) { k += 1; end = k; continue }
                if runStart < end { groups.append(runStart..<end) }
                // up to two separator characters between digit runs
                var s = k, seps = 0
                while s < chars.count && seps < 2 && [" ", "-", "(", ")", ".", "\u{00A0}"].contains(chars[s]) { s += 1; seps += 1 }
                if s < chars.count && isDigit(chars[s]) && s > k { k = s; runStart = s } else { break }
            }
            if runStart < end && (groups.last.map { $0 != runStart..<end } ?? true) { groups.append(runStart..<end) }
            if end < chars.count && isWordScalar(chars[end]) && !isDigit(chars[end]) { i = end; continue }
            let raw = str(i..<end)
            for d in numbers(raw, groups: groups.map { str($0) }, bins: bins) { found.append((i, d)) }
            mark(i..<end)
            i = end
        }
        // order and dedupe
        found.sort { $0.pos < $1.pos }
        var seen = Set<String>(), out: [ExtractedDetail] = []
        for (_, d) in found where seen.insert(d.kind.rawValue + ":" + d.value).inserted { out.append(d) }
        return out
    }

    static func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 0x30 && c.value <= 0x39 }
    static func isASCIIAlnum(_ c: Unicode.Scalar) -> Bool { c.isASCII && (isDigit(c) || isASCIILetter(UInt8(c.value))) }
    static func isWordScalar(_ c: Unicode.Scalar) -> Bool { c.properties.isAlphabetic || isDigit(c) || c == "_" }

    /// A number run: a phone, a card, or (when two numbers run together) both.
    static func numbers(_ raw: String, groups: [String], bins: BINTable) -> [ExtractedDetail] {
        let digits = raw.filter { ("0"..."9").contains($0) }
        let plus = raw.hasPrefix("+")
        if (plus && digits.count == 11 && digits.hasPrefix("7")) || (!plus && digits.count == 11 && (digits.hasPrefix("8") || digits.hasPrefix("7")))
            || (!plus && digits.count == 10 && digits.hasPrefix("7")) {
            return [phone(raw)]
        }
        if (13...19).contains(digits.count) && !plus { return [card(raw, bins: bins)] }
        if digits.count > 19 && groups.count >= 2 {
            // Two numbers written side by side: split where the first part is a Luhn-valid card.
            var acc = ""
            for (g, part) in groups.enumerated() {
                acc += part
                if (13...19).contains(acc.count) && CheckDigits.luhn(acc.utf8.map { $0 - 0x30 }) {
                    let rest = groups[(g + 1)...].joined(separator: " ")
                    return [card(acc, bins: bins)] + numbers(rest, groups: Array(groups[(g + 1)...]), bins: bins)
                }
            }
        }
        if plus && digits.hasPrefix("7") { return [phone(raw)] }
        return []
    }

    /// One whitespace-free word: a link, a handle or a crypto address.
    static func word(_ w: String, instagramContext: Bool, bins: BINTable) -> ExtractedDetail? {
        let lw = w.lowercased()
        // Telegram links
        for host in ["t.me/", "telegram.me/", "telegram.dog/"] {
            if let r = lw.range(of: host), lw[..<r.lowerBound].allSatisfy({ "htps:/w.".contains($0) }) {
                let path = String(w[r.upperBound...]).split(separator: "?").first.map(String.init) ?? ""
                let first = path.split(separator: "/").first.map(String.init) ?? ""
                if first == "joinchat" || first.hasPrefix("+") {
                    return ExtractedDetail(kind: .telegram, value: "t.me/" + path, raw: w, valid: path.count > (first == "joinchat" ? 9 : 2),
                                           problem: path.count > 2 ? nil : "the invite link is cut short", info: ["type": "invite link"])
                }
                let ok = telegramHandle(first)
                return ExtractedDetail(kind: .telegram, value: first.lowercased(), raw: w, valid: ok,
                                       problem: ok ? nil : "not a Telegram username (5–32 letters, digits, _; starting with a letter)",
                                       info: ["type": "link"])
            }
        }
        if lw.hasPrefix("tg://resolve?domain=") {
            let h = String(w.dropFirst("tg://resolve?domain=".count)).split(separator: "&").first.map(String.init) ?? ""
            let ok = telegramHandle(h)
            return ExtractedDetail(kind: .telegram, value: h.lowercased(), raw: w, valid: ok, problem: ok ? nil : "not a Telegram username",
                                   info: ["type": "link"])
        }
        for host in ["instagram.com/", "instagr.am/"] {
            if let r = lw.range(of: host), lw[..<r.lowerBound].allSatisfy({ "htps:/w.".contains($0) }) {
                let h = String(w[r.upperBound...]).split(separator: "/").first.map(String.init)?.split(separator: "?").first.map(String.init) ?? ""
                let ok = instagramHandle(h) && !["p", "reel", "stories", "explore"].contains(h.lowercased())
                return ExtractedDetail(kind: .instagram, value: h.lowercased(), raw: w, valid: ok,
                                       problem: ok ? nil : "not an Instagram profile link", info: ["type": "link"])
            }
        }
        if lw.hasPrefix("http://") || lw.hasPrefix("https://") || lw.hasPrefix("www.") {
            return ExtractedDetail(kind: .link, value: w, raw: w, valid: true, info: [:])
        }
        if w.hasPrefix("@") {
            let h = String(w.dropFirst())
            if instagramContext && instagramHandle(h) && !telegramHandle(h) {
                return ExtractedDetail(kind: .instagram, value: h.lowercased(), raw: w, valid: true, info: ["type": "handle"])
            }
            if instagramContext && instagramHandle(h) {
                return ExtractedDetail(kind: .instagram, value: h.lowercased(), raw: w, valid: true, info: ["type": "handle", "note": "could also be Telegram"])
            }
            let ok = telegramHandle(h)
            return ExtractedDetail(kind: .telegram, value: h.lowercased(), raw: w, valid: ok,
                                   problem: ok ? nil : "not a Telegram username (5–32 letters, digits, _; starting with a letter)",
                                   info: ["type": "handle"])
        }
        if (lw.hasPrefix("0x")) && w.count == 42 { return ethereum(w) }
        if lw.hasPrefix("bc1") && (14...90).contains(w.count) { return bitcoin(w) }
        let base58 = w.unicodeScalars.allSatisfy { $0.isASCII && $0.value < 128 && Base58.index[Int($0.value)] >= 0 }
        if base58 && w.hasPrefix("T") && w.count == 34 { return tron(w) }
        if base58 && (w.hasPrefix("1") || w.hasPrefix("3")) && (26...35).contains(w.count) && w.contains(where: \.isLetter) { return bitcoin(w) }
        if lw.hasPrefix("kz") && w.count == 20 && w.unicodeScalars.allSatisfy(isASCIIAlnum) { return iban(w) }
        return nil
    }
}
