namespace LeadPredict.Core.Tests;

public sealed class DateFormatTests
{
    private static DateFormats.Detector Detect(params string[] values)
    {
        var detector = new DateFormats.Detector();
        foreach (var v in values) detector.Add(v);
        return detector;
    }

    [Fact]
    public void A_day_above_12_in_the_first_part_makes_the_whole_column_day_first()
    {
        var d = Detect("01/02/2025", "13/02/2025", "05/03/2025");
        Assert.Equal(DateFormats.DayFirst, d.Format);
        Assert.False(d.Ambiguous);
        Assert.True(Values.TryParseDate("01/02/2025", d.Format, out var date));
        Assert.Equal(new DateTime(2025, 2, 1), date.Date);
    }

    [Fact]
    public void A_day_above_12_in_the_second_part_makes_the_whole_column_month_first()
    {
        var d = Detect("01/02/2025", "02/13/2025 10:30", "3/5/2025");
        Assert.Equal(DateFormats.MonthFirst, d.Format);
        Assert.True(Values.TryParseDate("01/02/2025", d.Format, out var date));
        Assert.Equal(new DateTime(2025, 1, 2), date.Date);
    }

    [Fact]
    public void A_column_nothing_settles_is_ambiguous_and_says_so()
    {
        var d = Detect("01/02/2025", "03/04/2025");
        Assert.True(d.Ambiguous);
        Assert.Equal("01/02/2025", d.AmbiguousExample);
        Assert.Contains("could be day-first or month-first", d.Note);
        Assert.Contains("dateFormat", d.Note);
    }

    [Fact]
    public void A_column_mixing_both_orders_is_not_read_as_dates()
    {
        var d = Detect("13/01/2025", "01/13/2025");
        Assert.True(d.Mixed);
        Assert.Null(d.Format);
        Assert.Contains("'13/01/2025'", d.Note);
        Assert.Contains("'01/13/2025'", d.Note);
    }

    [Fact]
    public void Iso_and_dotted_dates_need_no_order_and_words_are_not_dates()
    {
        Assert.Equal(DateFormats.Auto, Detect("2025-01-31", "2025-02-01T10:00:00", "31.01.2025").Format);
        Assert.Null(Detect("2025-01-31", "yesterday").Format);
        Assert.False(Values.TryParseDate("01/02/2025", DateFormats.Auto, out _));
    }

    [Fact]
    public void A_configured_format_is_read_first_and_settles_the_order()
    {
        var d = new DateFormats.Detector("dd/MM/yyyy HH:mm");
        d.Add("01/02/2025 09:15");
        d.Add("2025-03-01");
        Assert.Equal("dd/MM/yyyy HH:mm", d.Format);
        Assert.True(Values.TryParseDate("01/02/2025", "dd/MM/yyyy HH:mm", out var date));
        Assert.Equal(new DateTime(2025, 2, 1), date.Date);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("auto")]
    [InlineData("dd/MM/yyyy")]
    [InlineData("MM/dd/yyyy")]
    [InlineData("yyyy-MM-dd HH:mm")]
    [InlineData("d.M.yyyy")]
    public void Usable_date_settings_are_accepted(string? setting) => Assert.Null(DateFormats.Problem(setting));

    [Theory]
    [InlineData("dd/MM")]
    [InlineData("european")]
    [InlineData("yyyy-MM-dd %")]
    public void A_date_setting_without_day_month_and_year_is_refused_with_examples(string setting)
    {
        var problem = DateFormats.Problem(setting);
        Assert.NotNull(problem);
        Assert.Contains("dateFormat", problem);
        Assert.Contains("dd/MM/yyyy", problem);
    }
}
