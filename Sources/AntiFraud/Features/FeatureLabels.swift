import Foundation

/// Plain-word names of the dropper features in Kazakh, Russian and English (as the Assistance domain does), for the
/// reasons investigators read. Amount features are in multiples of the feed's median transfer.
public enum FeatureLabels {
    typealias Words = (kk: String, ru: String, en: String)

    static let labels: [String: Words] = [
        "in_count": ("Кіріс аударымдар саны", "Число входящих переводов", "Incoming transfers"),
        "out_count": ("Шығыс аударымдар саны", "Число исходящих переводов", "Outgoing transfers"),
        "in_sum": ("Кіріс сомасы (медианалық аударыммен)", "Сумма входящих (в медианных переводах)", "Money received (in median transfers)"),
        "out_sum": ("Шығыс сомасы (медианалық аударыммен)", "Сумма исходящих (в медианных переводах)", "Money sent (in median transfers)"),
        "in_mean": ("Орташа кіріс аударым", "Средний входящий перевод", "Average incoming transfer"),
        "out_mean": ("Орташа шығыс аударым", "Средний исходящий перевод", "Average outgoing transfer"),
        "in_max": ("Ең үлкен кіріс аударым", "Крупнейший входящий перевод", "Largest incoming transfer"),
        "out_max": ("Ең үлкен шығыс аударым", "Крупнейший исходящий перевод", "Largest outgoing transfer"),
        "in_min": ("Ең кіші кіріс аударым", "Наименьший входящий перевод", "Smallest incoming transfer"),
        "out_min": ("Ең кіші шығыс аударым", "Наименьший исходящий перевод", "Smallest outgoing transfer"),
        "in_amount_cv": ("Кіріс сомаларының әркелкілігі", "Разброс сумм входящих", "Spread of incoming amounts"),
        "out_amount_cv": ("Шығыс сомаларының әркелкілігі", "Разброс сумм исходящих", "Spread of outgoing amounts"),
        "fan_in": ("Әртүрлі жіберушілер саны", "Число разных отправителей", "Distinct senders"),
        "fan_out": ("Әртүрлі алушылар саны", "Число разных получателей", "Distinct receivers"),
        "in_repeat": ("Бір жіберушіден келген қайталама аударымдар", "Повторные переводы от одного отправителя", "Repeat transfers per sender"),
        "out_repeat": ("Бір алушыға жіберілген қайталама аударымдар", "Повторные переводы одному получателю", "Repeat transfers per receiver"),
        "pass_through_ratio": ("Кіріс пен шығыс сомаларының жақындығы", "Близость сумм входа и выхода", "Money in matched by money out"),
        "net_flow": ("Таза ағын (кіріс минус шығыс)", "Чистый поток (вход минус выход)", "Net flow (in minus out)"),
        "initial_balance": ("Бастапқы қалдық", "Начальный остаток", "Opening balance"),
        "turnover": ("Шығыстың қолда бар қаражатқа қатынасы", "Расходы к доступным средствам", "Money out per money available"),
        "in_small_share": ("Өте шағын кіріс аударымдар үлесі", "Доля очень мелких входящих переводов", "Share of very small incoming transfers"),
        "out_small_share": ("Өте шағын шығыс аударымдар үлесі", "Доля очень мелких исходящих переводов", "Share of very small outgoing transfers"),
        "active_days": ("Белсенді күндер", "Активные дни", "Active days"),
        "span_days": ("Белсенділік кезеңі, күн", "Период активности, дней", "Activity span, days"),
        "peak_window_share": ("Ең қарбалас аптадағы аударымдар үлесі", "Доля переводов в самую активную неделю", "Share of transfers in the busiest week"),
        "median_gap_hours": ("Аударымдар арасындағы медианалық аралық, сағат", "Медианный интервал между переводами, ч", "Median time between transfers, hours"),
        "pass_through_24h": ("24 сағатта ары жіберілген ақша үлесі", "Доля денег, ушедших дальше за 24 часа", "Share of money passed on within 24 hours"),
        "pass_through_72h": ("72 сағатта ары жіберілген ақша үлесі", "Доля денег, ушедших дальше за 72 часа", "Share of money passed on within 72 hours"),
        "pass_through_7d": ("7 күнде ары жіберілген ақша үлесі", "Доля денег, ушедших дальше за 7 дней", "Share of money passed on within 7 days"),
        "mean_holding_hours": ("Ақшаның шотта орташа тұру уақыты, сағат", "Среднее время денег на счёте, ч", "Average time money stays, hours"),
        "forward_match_share": ("Алынған соманың дерлік бәрін ары жіберу үлесі", "Доля переводов, пересылающих почти всю полученную сумму",
                                "Share of transfers forwarding almost all of a recent receipt"),
        "in_then_out_share": ("72 сағатта шығыс болған кірістер үлесі", "Доля поступлений, за которыми за 72 ч последовал расход",
                              "Share of receipts followed by a payment within 72 hours"),
        "age_days": ("Шоттың жасы, күн", "Возраст счёта, дней", "Account age, days"),
        "age_at_first_in_days": ("Алғашқы кіріс кезіндегі шоттың жасы, күн", "Возраст счёта при первом поступлении, дней", "Account age at first receipt, days"),
        "sender_age_days": ("Жіберушілер шоттарының орташа жасы, күн", "Средний возраст счетов отправителей, дней", "Average age of senders' accounts, days"),
        "receiver_age_days": ("Алушылар шоттарының орташа жасы, күн", "Средний возраст счетов получателей, дней", "Average age of receivers' accounts, days"),
        "young_sender_share": ("Жаңа шоттардан келген аударымдар үлесі", "Доля переводов с новых счетов", "Share of transfers from new accounts"),
        "young_receiver_share": ("Жаңа шоттарға кеткен аударымдар үлесі", "Доля переводов на новые счета", "Share of transfers to new accounts"),
        "fan_in_burst": ("72 сағаттағы ең көп жіберушілер", "Наибольшее число отправителей за 72 ч", "Most senders within 72 hours"),
        "fan_out_burst": ("72 сағаттағы ең көп алушылар", "Наибольшее число получателей за 72 ч", "Most receivers within 72 hours"),
        "gather_scatter_burst": ("72 сағатта көп жіберушіден жинап, көп алушыға тарату", "Сбор от многих и раздача многим за 72 ч",
                                 "Gather from many, scatter to many within 72 hours"),
        "cycle2": ("Екі жақты аударымдар жасаған контрагенттер", "Контрагенты со встречными переводами", "Counterparties with transfers both ways"),
        "cycle3": ("3 шоттан тұратын ақша шеңберлері", "Круги денег из 3 счетов", "Money circles of 3 accounts"),
        "cycle4": ("4 шоттан тұратын ақша шеңберлері", "Круги денег из 4 счетов", "Money circles of 4 accounts"),
        "scatter_gather_source": ("Көп делдал арқылы бір алушыға тарату", "Раздача через многих посредников одному получателю",
                                  "Scattered through many intermediaries to one receiver"),
        "scatter_gather_sink": ("Бір жіберушіден көп делдал арқылы жиналған ақша", "Сбор от одного отправителя через многих посредников",
                                "Gathered from one sender through many intermediaries"),
        "scatter_gather_member": ("Таратып-жинау схемасындағы параллель делдалдар", "Параллельные посредники в схеме раздачи-сбора",
                                  "Parallel intermediaries in a scatter-gather"),
        "gather_scatter": ("Жинау-тарату торабы (жіберушілер мен алушылар)", "Узел сбора-раздачи (отправители и получатели)",
                           "Gather-scatter hub (senders and receivers)"),
        "two_hop_out": ("Ақша екі қадамда жеткен шоттар", "Счета, куда деньги дошли за два шага", "Accounts money reached in two steps"),
        "two_hop_in": ("Ақша екі қадамда келген шоттар", "Счета, откуда деньги пришли за два шага", "Accounts money came from in two steps"),
        "out_unusual_share": ("Шот үшін әдеттен тыс шығыс сомалар үлесі", "Доля исходящих с необычной для счёта суммой",
                              "Share of outgoing amounts unlike the account's usual"),
        "in_unusual_share": ("Жіберуші үшін әдеттен тыс кіріс сомалар үлесі", "Доля входящих с необычной для отправителя суммой",
                             "Share of incoming amounts unusual for their sender"),
        "suspicious_links": ("Күмәнді аударым жасалған контрагенттер", "Контрагенты, с которыми были подозрительные переводы",
                             "Counterparties exchanged suspicious transfers with"),
        "sender_mean_fan_out": ("Жіберушілердің орташа алушылар саны", "Среднее число получателей у отправителей", "Senders' average number of receivers"),
        "receiver_mean_fan_in": ("Алушылардың орташа жіберушілер саны", "Среднее число отправителей у получателей", "Receivers' average number of senders"),
        "nbr_pass_through_share": ("Ақшаны тез ары жіберетін контрагенттер үлесі", "Доля контрагентов, быстро пересылающих деньги",
                                   "Share of counterparties that pass money on fast"),
        "nbr_flagged_count": ("Өзінде күмәнді аударымдары бар контрагенттер", "Контрагенты, у которых есть подозрительные переводы",
                              "Counterparties that have suspicious transfers"),
        "nbr_flagged_share": ("Күмәнді аударымдары бар контрагенттер үлесі", "Доля контрагентов с подозрительными переводами",
                              "Share of counterparties that have suspicious transfers"),
        "nbr_count": ("Контрагенттер саны", "Число контрагентов", "Counterparties"),
    ]
    static let prefixes: [(String, Words)] = [
        ("nbr_mean_", ("контрагенттер бойынша орташа", "в среднем у контрагентов", "counterparties' average")),
        ("nbr_max_", ("контрагенттер арасындағы ең жоғары", "наибольшее у контрагентов", "counterparties' highest")),
    ]

    /// A feature's name in plain words in `language` (kk, ru or en; anything else reads as en).
    public static func label(_ feature: String, language: String = "en") -> String {
        func pick(_ w: Words) -> String {
            switch language { case "kk": w.kk; case "ru": w.ru; default: w.en }
        }
        if let w = labels[feature] { return pick(w) }
        for (p, w) in prefixes where feature.hasPrefix(p) {
            let base = String(feature.dropFirst(p.count))
            if let b = labels[base] { return "\(pick(b)) (\(pick(w)))" }
        }
        return feature
    }

    /// True when every feature of the model has words in all three languages (checked by the tests).
    public static func covers(_ features: [String]) -> [String] {
        features.filter { label($0, language: "en") == $0 }
    }

    /// A value as people read it: whole numbers without decimals, shares and ratios to two places.
    public static func format(_ v: Float) -> String {
        if v.isNaN { return "—" }
        if v == v.rounded() && abs(v) < 1e7 { return String(Int(v)) }
        return String(format: "%.2f", Double(v))
    }
}
