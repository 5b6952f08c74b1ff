namespace LeadPredict.SampleData.Crm;

/// <summary>
/// The shared rhythm of the activity log: email campaign days, webinars, product launch weeks, weekends and the hours of
/// the day, over the generated days (day 0 is the first day leads are created, the last day is the one before the export).
/// For each modeled type it holds the day weights and their prefix sums, so the expected number of events over any span
/// (the exposure) and the placement of an event within it take constant and logarithmic time.
/// </summary>
internal sealed class ActivityCalendar
{
    public const long SecondsPerDay = 86_400;

    /// <summary>The share of a day's events in each UTC hour: quiet at night, busiest in office hours.</summary>
    private static readonly double[] HourWeights =
        [0.2, 0.15, 0.1, 0.1, 0.1, 0.15, 0.3, 0.6, 1.0, 1.3, 1.4, 1.4, 1.3, 1.3, 1.4, 1.3, 1.2, 1.0, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3];

    private static readonly double[] HourShare;
    private static readonly double[] HourCumulative; // [25], 0 .. 1

    static ActivityCalendar()
    {
        var total = HourWeights.Sum();
        HourShare = HourWeights.Select(w => w / total).ToArray();
        HourCumulative = new double[25];
        for (var h = 0; h < 24; h++) HourCumulative[h + 1] = HourCumulative[h] + HourShare[h];
        HourCumulative[24] = 1;
    }

    private readonly double[][] _weight; // [type][day]
    private readonly double[][] _prefix; // [type][day + 1]: sum of weights before the day
    private readonly double[][] _decayedSuffix; // [type][day + 1]: s[x] = w[x] + q s[x + 1], q = e^(-1/45)
    private readonly double[] _decay; // e^(-n/45)

    public long Start { get; }
    public int Days { get; }
    public DateOnly FirstDay { get; }
    public IReadOnlyList<int> EmailCampaignDays { get; }
    public IReadOnlyList<int> WebinarDays { get; }
    public IReadOnlyList<int> LaunchDays { get; }

    public ActivityCalendar(DateOnly firstDay, int days, ulong seed)
    {
        FirstDay = firstDay;
        Days = days;
        Start = ToSeconds(firstDay);
        var rng = new Prng(seed ^ 0x5EED_CA1E_0DA7_E5UL);

        var email = new List<int>();
        for (var d = rng.Next(7); d < days; d += 6 + rng.Next(9))
        {
            // Campaigns go out Tuesday to Thursday.
            while (Weekday(d) is not (DayOfWeek.Tuesday or DayOfWeek.Wednesday or DayOfWeek.Thursday)) d++;
            if (d < days) email.Add(d);
        }
        var webinars = new List<int>();
        var w = rng.Next(28);
        while (Weekday(w) != DayOfWeek.Thursday) w++;
        for (; w < days; w += 28) webinars.Add(w);
        var launches = new List<int>();
        for (var l = 20 + rng.Next(100); l < days; l += 120 + rng.Next(80))
        {
            while (Weekday(l) != DayOfWeek.Monday) l++;
            for (var i = 0; i < 7 && l + i < days; i++) launches.Add(l + i);
        }
        EmailCampaignDays = email;
        WebinarDays = webinars;
        LaunchDays = launches;

        var emailBoost = new double[days];
        var webBoost = new double[days];
        var launch = new bool[days];
        var webinarDay = new bool[days];
        var beforeWebinar = new bool[days];
        foreach (var d in email)
        {
            emailBoost[d] += 5;
            webBoost[d] += 1;
            if (d + 1 < days) { emailBoost[d + 1] += 1.5; webBoost[d + 1] += 0.5; }
            if (d + 2 < days) emailBoost[d + 2] += 0.4;
        }
        foreach (var d in launches) launch[d] = true;
        foreach (var d in webinars)
        {
            webinarDay[d] = true;
            for (var i = Math.Max(0, d - 7); i < d; i++) beforeWebinar[i] = true;
        }

        var types = ActivityType.Modeled;
        _weight = new double[types.Count][];
        _prefix = new double[types.Count][];
        _decayedSuffix = new double[types.Count][];
        var q = Math.Exp(-1 / CrmProcess.DecayDays);
        _decay = new double[days + 2];
        for (var n = 0; n < _decay.Length; n++) _decay[n] = Math.Exp(-n / CrmProcess.DecayDays);
        for (var j = 0; j < types.Count; j++)
        {
            var t = types[j];
            var weight = new double[days];
            for (var d = 0; d < days; d++)
            {
                var calendar = t.Calendar switch
                {
                    CalendarEffect.EmailCampaign => 1 + emailBoost[d],
                    CalendarEffect.Web => 1 + webBoost[d] + (launch[d] ? 0.8 : 0),
                    CalendarEffect.Launch => launch[d] ? 1.8 : 1,
                    CalendarEffect.Webinar => webinarDay[d] ? 1 : 0,
                    CalendarEffect.WebinarRegistration => beforeWebinar[d] ? 2.5 : 1,
                    _ => 1,
                };
                weight[d] = calendar * (Weekday(d) is DayOfWeek.Saturday or DayOfWeek.Sunday ? t.Weekend : 1);
            }
            var prefix = new double[days + 1];
            for (var d = 0; d < days; d++) prefix[d + 1] = prefix[d] + weight[d];
            var suffix = new double[days + 1];
            for (var d = days - 1; d >= 0; d--) suffix[d] = weight[d] + q * suffix[d + 1];
            _weight[j] = weight;
            _prefix[j] = prefix;
            _decayedSuffix[j] = suffix;
        }
    }

    public DayOfWeek Weekday(int day) => FirstDay.AddDays(day).DayOfWeek;

    public static long ToSeconds(DateOnly day) => (day.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber) * SecondsPerDay;

    public int DayOf(long time) => (int)Math.Floor((time - Start) / (double)SecondsPerDay);

    /// <summary>The weight of a whole day for a lead created on <paramref name="createdDay"/>: calendar x weekday x age decay.</summary>
    private double DayWeight(int type, int day, int createdDay)
    {
        var floor = ActivityType.Modeled[type].Floor;
        return _weight[type][day] * (floor + (1 - floor) * _decay[day - createdDay]);
    }

    /// <summary>The summed weights of whole days [from, to).</summary>
    private double WholeDays(int type, int from, int to, int createdDay)
    {
        if (to <= from) return 0;
        var floor = ActivityType.Modeled[type].Floor;
        var s = _decayedSuffix[type];
        var decayed = _decay[from - createdDay] * (s[from] - _decay[to - from] * s[to]);
        return floor * (_prefix[type][to] - _prefix[type][from]) + (1 - floor) * decayed;
    }

    private static double HourCdf(double fraction)
    {
        var x = fraction * 24;
        var h = Math.Min(23, (int)x);
        return HourCumulative[h] + (x - h) * HourShare[h];
    }

    private static double HourQuantile(double share)
    {
        var h = 0;
        while (h < 23 && HourCumulative[h + 1] <= share) h++;
        return (h + Math.Clamp((share - HourCumulative[h]) / HourShare[h], 0, 1)) / 24;
    }

    /// <summary>
    /// The expected number of events per unit of rate over [<paramref name="from"/>, <paramref name="to"/>) (seconds since
    /// 1970 UTC) for a lead created on <paramref name="createdDay"/>; both ends within the calendar.
    /// </summary>
    public double Exposure(int type, long from, long to, int createdDay)
    {
        if (to <= from) return 0;
        var (dFrom, fFrom) = Split(from);
        var (dTo, fTo) = SplitEnd(to);
        if (dFrom == dTo) return DayWeight(type, dFrom, createdDay) * (HourCdf(fTo) - HourCdf(fFrom));
        return DayWeight(type, dFrom, createdDay) * (1 - HourCdf(fFrom)) + WholeDays(type, dFrom + 1, dTo, createdDay)
               + DayWeight(type, dTo, createdDay) * HourCdf(fTo);
    }

    /// <summary>
    /// The time (whole seconds) at which the exposure counted from <paramref name="from"/> reaches <paramref name="target"/>
    /// (0 &lt;= target &lt; Exposure(from, to)): placing an event there, with the target uniform, follows the rate's shape.
    /// </summary>
    public long Place(int type, long from, long to, int createdDay, double target)
    {
        var (dFrom, fFrom) = Split(from);
        var (dTo, fTo) = SplitEnd(to);
        var first = DayWeight(type, dFrom, createdDay);
        var firstPart = dFrom == dTo ? first * (HourCdf(fTo) - HourCdf(fFrom)) : first * (1 - HourCdf(fFrom));
        if (target < firstPart || dFrom == dTo)
            return Clamp(At(dFrom, first > 0 ? HourQuantile(HourCdf(fFrom) + target / first) : fFrom), from, to);
        target -= firstPart;
        // The first whole day d in (dFrom, dTo) whose end passes the target: binary search on the cumulative weight.
        int lo = dFrom + 1, hi = dTo;
        if (WholeDays(type, lo, hi, createdDay) <= target)
        {
            target -= WholeDays(type, lo, hi, createdDay);
            return Clamp(WithinDay(type, dTo, createdDay, target), from, to);
        }
        while (hi - lo > 1)
        {
            var mid = (lo + hi) / 2;
            if (WholeDays(type, dFrom + 1, mid, createdDay) <= target) lo = mid;
            else hi = mid;
        }
        target -= WholeDays(type, dFrom + 1, lo, createdDay);
        return Clamp(WithinDay(type, lo, createdDay, target), from, to);
    }

    private long WithinDay(int type, int day, int createdDay, double target)
    {
        var weight = DayWeight(type, day, createdDay);
        return At(day, weight > 0 ? HourQuantile(target / weight) : 0);
    }

    private (int Day, double Fraction) Split(long time)
    {
        var offset = time - Start;
        var day = (int)(offset / SecondsPerDay);
        return (day, (offset - day * SecondsPerDay) / (double)SecondsPerDay);
    }

    /// <summary>The day and fraction of an end time, an exact midnight counting as the end (fraction 1) of the day before.</summary>
    private (int Day, double Fraction) SplitEnd(long time)
    {
        var (day, fraction) = Split(time);
        return fraction == 0 ? (day - 1, 1) : (day, fraction);
    }

    private long At(int day, double fraction) => Start + day * SecondsPerDay + (long)Math.Floor(fraction * SecondsPerDay);

    private static long Clamp(long time, long from, long to) => Math.Clamp(time, from, to - 1);
}
