import Foundation

/// Where a citizen saw a drug-shop advert.
public enum AdvertPlace: String, Sendable, Codable, CaseIterable {
    case telegram, instagram, whatsapp, website
    /// Painted or stencilled on a wall, fence, pavement or in a stairwell.
    case wall
    /// A flyer or sticker.
    case leaflet
    case other

    public var isOnline: Bool { [.telegram, .instagram, .whatsapp, .website].contains(self) }

    /// The place a free-text answer names (Russian, Kazakh or English keywords), nil when none.
    public static func parse(_ text: String) -> AdvertPlace? {
        let t = text.lowercased()
        let table: [(AdvertPlace, [String])] = [
            (.telegram, ["telegram", "телеграм", "телега", "тг", "tg", "t.me"]),
            (.instagram, ["instagram", "инстаграм", "инста", "инст", "insta"]),
            (.whatsapp, ["whatsapp", "ватсап", "вотсап", "уатсап"]),
            (.website, ["сайт", "site", "http", "www", "интернет", "internet", "ғаламтор"]),
            (.wall, ["стен", "забор", "граффити", "подъезд", "асфальт", "трафарет", "wall", "қабырға", "дуал", "подъезд"]),
            (.leaflet, ["листовк", "наклейк", "объявлени", "flyer", "sticker", "парақша", "жарнама"]),
        ]
        let words = t.split { !$0.isLetter && !$0.isNumber && $0 != "." }.map(String.init)
        for (place, keys) in table where keys.contains(where: { k in words.contains { $0.hasPrefix(k) } || (k.contains(".") && t.contains(k)) }) {
            return place
        }
        return nil
    }
}

/// What a citizen reported, as the bot collected it: ready for the platform to open a case (recommendation) that an
/// investigator reviews. It holds the citizen's words and what was extracted from them, nothing else.
public struct DrugShopReportDraft: Sendable, Codable, Equatable {
    public var language: String
    public var place: AdvertPlace?
    public var placeDetail: String?
    public var texts: [String] = []
    public var details: [ExtractedDetail] = []
    public var assessment: DrugSlang.Assessment?
    /// Questions the citizen skipped.
    public var skipped: [String] = []

    /// Valid payment details (cards, IBANs, crypto addresses) — what links a report to the transaction graph.
    public var paymentDetails: [ExtractedDetail] {
        details.filter { $0.valid && [.card, .iban, .bitcoin, .ethereum, .tron].contains($0.kind) }
    }
    public var contacts: [ExtractedDetail] { details.filter { [.telegram, .instagram, .phone, .link].contains($0.kind) } }
}

/// The reporting bot's conversation as a pure state machine: each citizen message goes in, the bot's answer and the next
/// state come out. It asks for what it still needs — where the advert was seen, its text (or a screenshot's text), the
/// link — then shows what it found and asks to send. It never says what an investigation found; after sending it
/// only points to the tracking code the platform issues.
public struct ReportConversation: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable { case start, askPlace, askContent, askLink, confirm, submitted, cancelled }

    public struct Reply: Sendable, Equatable {
        public var text: String
        public var state: State
        /// Set once: the citizen confirmed; the platform now files the report and calls `submitted(trackingCode:)`.
        public var submit: DrugShopReportDraft?
    }

    public private(set) var state: State = .start
    public private(set) var draft: DrugShopReportDraft
    /// Fixed by the first message unless given.
    var languageFixed: Bool

    public init(language: String? = nil) {
        draft = DrugShopReportDraft(language: language ?? "ru")
        languageFixed = language != nil
    }

    /// kk when the text has Kazakh-only letters, en when it is Latin only, else ru.
    public static func detectLanguage(_ text: String) -> String {
        if text.contains(where: { "әғқңөұүһіӘҒҚҢӨҰҮҺІ".contains($0) }) { return "kk" }
        let letters = text.filter(\.isLetter)
        if !letters.isEmpty && letters.allSatisfy({ $0.isASCII }) { return "en" }
        return "ru"
    }

    static func isCommand(_ t: String, _ words: [String]) -> Bool { words.contains(t.trimmed.lowercased()) }
    static let skipWords = ["skip", "/skip", "пропустить", "пропуск", "нет", "no", "жоқ", "өткізу", "-", "не знаю", "білмеймін", "don't know"]
    static let yesWords = ["да", "yes", "иә", "ия", "ok", "ок", "отправить", "send", "жіберу", "+", "/send"]
    static let noWords = ["нет", "no", "жоқ", "исправить", "correct", "түзету"]

    /// The bot's answer to one message.
    public mutating func reply(to message: String) -> Reply {
        let text = message.trimmed
        if !languageFixed && state == .start {
            draft.language = ReportConversation.detectLanguage(text)
            languageFixed = true
        }
        if ReportConversation.isCommand(text, ["/cancel", "отмена", "cancel", "болдырмау"]) && state != .submitted {
            state = .cancelled
            return Reply(text: say(.cancelled), state: state, submit: nil)
        }
        if ReportConversation.isCommand(text, ["/new", "/start"]) && (state == .submitted || state == .cancelled) {
            self = ReportConversation(language: draft.language)
            return Reply(text: say(.greeting), state: transition(to: .askPlace), submit: nil)
        }
        switch state {
        case .start:
            if ReportConversation.isCommand(text, ["/start", "start", "привет", "здравствуйте", "сәлем", "hello", "hi"]) || text.isEmpty {
                return Reply(text: say(.greeting), state: transition(to: .askPlace), submit: nil)
            }
            // The first message is already the advert (or where it was seen).
            if let p = AdvertPlace.parse(text), !looksLikeAdvert(text) {
                setPlace(p, text)
                return Reply(text: say(.askContent), state: transition(to: .askContent), submit: nil)
            }
            addContent(text)
            return Reply(text: say(.thanksAskPlace), state: transition(to: .askPlace), submit: nil)
        case .askPlace:
            if ReportConversation.isCommand(text, ReportConversation.skipWords) {
                draft.skipped.append("place")
            } else {
                setPlace(AdvertPlace.parse(text) ?? .other, text)
                // an answer like "в телеге @shop_kz" carries a handle too
                for d in PaymentDetails.extract(text) where !draft.details.contains(d) { draft.details.append(d) }
            }
            return next()
        case .askContent:
            if ReportConversation.isCommand(text, ReportConversation.skipWords) { draft.skipped.append("content") } else { addContent(text) }
            return next()
        case .askLink:
            if ReportConversation.isCommand(text, ReportConversation.skipWords) {
                draft.skipped.append("link")
            } else {
                let found = PaymentDetails.extract(text)
                if found.isEmpty { draft.texts.append(text) }
                for d in found where !draft.details.contains(d) { draft.details.append(d) }
                reassess()
            }
            return Reply(text: summary(), state: transition(to: .confirm), submit: nil)
        case .confirm:
            if ReportConversation.isCommand(text, ReportConversation.yesWords) {
                return Reply(text: say(.sending), state: state, submit: draft)
            }
            if ReportConversation.isCommand(text, ReportConversation.noWords) {
                return Reply(text: say(.addMore), state: transition(to: .askContent), submit: nil)
            }
            // Anything else is more content: add it and show the summary again.
            addContent(text)
            return Reply(text: summary(), state: state, submit: nil)
        case .submitted:
            return Reply(text: say(.alreadySent), state: state, submit: nil)
        case .cancelled:
            return Reply(text: say(.cancelled), state: state, submit: nil)
        }
    }

    /// Called by the platform once the report is filed; the citizen follows its status with the code. The bot never
    /// learns or tells what the investigation found.
    public mutating func submitted(trackingCode: String) -> Reply {
        state = .submitted
        return Reply(text: say(.submitted) + " " + trackingCode, state: state, submit: nil)
    }

    // MARK: steps

    mutating func transition(to s: State) -> State { state = s; return s }

    /// Asks for the first thing still missing.
    mutating func next() -> Reply {
        if draft.place == nil && !draft.skipped.contains("place") {
            return Reply(text: say(.askPlace), state: transition(to: .askPlace), submit: nil)
        }
        if draft.texts.isEmpty && !draft.skipped.contains("content") {
            return Reply(text: say(.askContent), state: transition(to: .askContent), submit: nil)
        }
        let hasLink = draft.details.contains { [.telegram, .instagram, .link].contains($0.kind) }
        if (draft.place?.isOnline ?? false) && !hasLink && !draft.skipped.contains("link") {
            return Reply(text: say(.askLink), state: transition(to: .askLink), submit: nil)
        }
        return Reply(text: summary(), state: transition(to: .confirm), submit: nil)
    }

    mutating func setPlace(_ p: AdvertPlace, _ text: String) {
        draft.place = p
        draft.placeDetail = String(text.prefix(200))
    }

    mutating func addContent(_ text: String) {
        draft.texts.append(text)
        for d in PaymentDetails.extract(text) where !draft.details.contains(d) { draft.details.append(d) }
        reassess()
    }

    mutating func reassess() {
        draft.assessment = DrugSlang.assess(draft.texts.joined(separator: "\n"), paymentDetails: !draft.paymentDetails.isEmpty)
    }

    func looksLikeAdvert(_ text: String) -> Bool {
        !PaymentDetails.extract(text).isEmpty || DrugSlang.assess(text).mentionsDrugs || text.count > 80
    }

    /// What the bot found, masked (a card as its first six and last four digits), and the question whether to send.
    func summary() -> String {
        var lines: [String] = [say(.foundIntro)]
        for d in draft.details {
            let shown: String
            switch d.kind {
            case .card where d.value.count >= 12: shown = String(d.value.prefix(6)) + "…" + String(d.value.suffix(4))
            case .iban: shown = String(d.value.prefix(7)) + "…" + String(d.value.suffix(4))
            case .telegram, .instagram: shown = d.info["type"] == "invite link" ? d.value : "@" + d.value
            default: shown = d.value
            }
            lines.append("• \(kindName(d.kind)): \(shown)" + (d.valid ? "" : " (\(say(.doesNotCheck)))"))
        }
        if draft.details.isEmpty { lines.append("• " + say(.nothingFound)) }
        if let p = draft.place { lines.append("• " + say(.placeLabel) + ": " + placeName(p)) }
        lines.append(say(.askSend))
        return lines.joined(separator: "\n")
    }

    // MARK: words

    enum Phrase {
        case greeting, askPlace, thanksAskPlace, askContent, askLink, foundIntro, nothingFound, doesNotCheck, placeLabel, askSend
        case sending, addMore, submitted, alreadySent, cancelled
    }

    func say(_ p: Phrase) -> String {
        let t: (ru: String, kk: String, en: String)
        switch p {
        case .greeting:
            t = ("Здравствуйте! Здесь можно сообщить о рекламе продажи наркотиков. Сообщение анонимно: мы не спрашиваем ваше имя. Где вы увидели рекламу: Telegram, Instagram, сайт, надпись на стене, листовка?",
                 "Сәлеметсіз бе! Мұнда есірткі сату жарнамасы туралы хабарлауға болады. Хабарлама жасырын: атыңызды сұрамаймыз. Жарнаманы қайдан көрдіңіз: Telegram, Instagram, сайт, қабырғадағы жазу, парақша?",
                 "Hello! You can report an advert for selling drugs here. It is anonymous: we do not ask your name. Where did you see the advert: Telegram, Instagram, a website, writing on a wall, a flyer?")
        case .askPlace:
            t = ("Где вы увидели эту рекламу: Telegram, Instagram, сайт, надпись на стене, листовка? (можно «пропустить»)",
                 "Бұл жарнаманы қайдан көрдіңіз: Telegram, Instagram, сайт, қабырғадағы жазу, парақша? («өткізу» деп жазуға болады)",
                 "Where did you see this advert: Telegram, Instagram, a website, a wall, a flyer? (you can \"skip\")")
        case .thanksAskPlace:
            t = ("Спасибо, текст получен. Где вы увидели эту рекламу: Telegram, Instagram, сайт, надпись на стене, листовка?",
                 "Рақмет, мәтін алынды. Бұл жарнаманы қайдан көрдіңіз: Telegram, Instagram, сайт, қабырғадағы жазу, парақша?",
                 "Thank you, the text is received. Where did you see this advert: Telegram, Instagram, a website, a wall, a flyer?")
        case .askContent:
            t = ("Пришлите текст рекламы или перепечатайте текст со скриншота: номера карт, телефоны, ники, адреса кошельков.",
                 "Жарнаманың мәтінін жіберіңіз немесе скриншоттағы мәтінді көшіріп жазыңыз: карта нөмірлері, телефондар, никтер, әмиян мекенжайлары.",
                 "Send the advert's text, or type out the text of a screenshot: card numbers, phones, usernames, wallet addresses.")
        case .askLink:
            t = ("Есть ли ссылка на канал, аккаунт или сайт (например, t.me/… или @ник)? Если нет — напишите «нет».",
                 "Арнаға, аккаунтқа немесе сайтқа сілтеме бар ма (мысалы, t.me/… немесе @ник)? Жоқ болса — «жоқ» деп жазыңыз.",
                 "Is there a link to the channel, account or site (for example t.me/… or @name)? If not, write \"no\".")
        case .foundIntro: t = ("Вот что я нашёл в сообщении:", "Хабарламадан мыналарды таптым:", "This is what I found in your message:")
        case .nothingFound: t = ("реквизитов не найдено (можно отправить и так)", "деректемелер табылмады (солай да жіберуге болады)", "no payment or contact details (you can still send it)")
        case .doesNotCheck: t = ("не проходит проверку, возможно опечатка", "тексерістен өтпейді, қате болуы мүмкін", "does not pass the check, maybe a typo")
        case .placeLabel: t = ("где увидели", "қайдан көрдіңіз", "seen on")
        case .askSend: t = ("Отправить сообщение? (да / нет — чтобы дополнить)", "Хабарламаны жіберейік пе? (иә / жоқ — толықтыру үшін)", "Send the report? (yes / no to add more)")
        case .sending: t = ("Отправляю…", "Жіберіп жатырмын…", "Sending…")
        case .addMore: t = ("Хорошо. Пришлите, что добавить или исправить.", "Жақсы. Нені қосу немесе түзету керектігін жіберіңіз.", "All right. Send what to add or correct.")
        case .submitted:
            t = ("Спасибо, сообщение принято. Его рассмотрит сотрудник. Статус можно узнать по коду; о ходе проверки мы не сообщаем. Код:",
                 "Рақмет, хабарлама қабылданды. Оны қызметкер қарайды. Мәртебесін код арқылы білуге болады; тексеру барысы туралы хабарламаймыз. Код:",
                 "Thank you, the report is received. An officer will review it. You can follow its status with the code; we do not share what a check finds. Code:")
        case .alreadySent:
            t = ("Это сообщение уже отправлено. Чтобы сообщить о другой рекламе, напишите /new.", "Бұл хабарлама жіберілді. Басқа жарнама туралы хабарлау үшін /new деп жазыңыз.",
                 "This report has been sent. To report another advert, write /new.")
        case .cancelled: t = ("Сообщение отменено. Чтобы начать заново, напишите /new.", "Хабарлама тоқтатылды. Қайта бастау үшін /new деп жазыңыз.", "Cancelled. To start again, write /new.")
        }
        switch draft.language { case "kk": return t.kk; case "en": return t.en; default: return t.ru }
    }

    func kindName(_ k: ExtractedDetail.Kind) -> String {
        let t: (ru: String, kk: String, en: String) = switch k {
        case .card: ("карта", "карта", "card")
        case .iban: ("счёт IBAN", "IBAN шоты", "IBAN")
        case .phone: ("телефон", "телефон", "phone")
        case .telegram: ("Telegram", "Telegram", "Telegram")
        case .instagram: ("Instagram", "Instagram", "Instagram")
        case .bitcoin: ("Bitcoin-кошелёк", "Bitcoin әмияны", "Bitcoin wallet")
        case .ethereum: ("Ethereum-кошелёк", "Ethereum әмияны", "Ethereum wallet")
        case .tron: ("TRON-кошелёк (USDT)", "TRON әмияны (USDT)", "TRON wallet (USDT)")
        case .link: ("ссылка", "сілтеме", "link")
        }
        switch draft.language { case "kk": return t.kk; case "en": return t.en; default: return t.ru }
    }

    func placeName(_ p: AdvertPlace) -> String {
        let t: (ru: String, kk: String, en: String) = switch p {
        case .telegram: ("Telegram", "Telegram", "Telegram")
        case .instagram: ("Instagram", "Instagram", "Instagram")
        case .whatsapp: ("WhatsApp", "WhatsApp", "WhatsApp")
        case .website: ("сайт", "сайт", "website")
        case .wall: ("надпись на стене", "қабырғадағы жазу", "writing on a wall")
        case .leaflet: ("листовка", "парақша", "flyer")
        case .other: ("другое", "басқа", "other")
        }
        switch draft.language { case "kk": return t.kk; case "en": return t.en; default: return t.ru }
    }
}
