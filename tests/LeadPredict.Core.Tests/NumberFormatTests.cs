using System.Globalization;
using FsCheck;
using FsCheck.Fluent;

namespace LeadPredict.Core.Tests;

public sealed class NumberFormatTests
{
    [Theory]
    [InlineData("4,268", NumberFormat.CommaThousands, 4268)]
    [InlineData("871,606,000", NumberFormat.CommaThousands, 871606000)]
    [InlineData("-1,234.56", NumberFormat.CommaThousands, -1234.56)]
    [InlineData("1234.5", NumberFormat.CommaThousands, 1234.5)]
    [InlineData("12.521.000,0", NumberFormat.DotThousands, 12521000)]
    [InlineData("1.234", NumberFormat.DotThousands, 1234)]
    [InlineData("3,5", NumberFormat.DotThousands, 3.5)]
    [InlineData("1 234,5", NumberFormat.SpaceThousands, 1234.5)]
    [InlineData("1\u00A0234\u00A0567", NumberFormat.SpaceThousands, 1234567)]
    [InlineData("1\u202F234,25", NumberFormat.SpaceThousands, 1234.25)]
    [InlineData("1234", NumberFormat.SpaceThousands, 1234)]
    [InlineData("0,5", NumberFormat.SpaceThousands, 0.5)]
    public void Numbers_with_separators_read_in_their_format(string text, NumberFormat format, double expected)
    {
        Assert.True(Values.TryParseNumber(text, format, out var actual));
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("42,68", NumberFormat.CommaThousands)]      // a group of two: not a thousands separator
    [InlineData("1,2345", NumberFormat.CommaThousands)]
    [InlineData("0,123", NumberFormat.CommaThousands)]      // groups never start after a leading 0
    [InlineData("1,234,5", NumberFormat.CommaThousands)]
    [InlineData(",123", NumberFormat.CommaThousands)]
    [InlineData("1.234,5", NumberFormat.CommaThousands)]
    [InlineData("1,234.5", NumberFormat.DotThousands)]
    [InlineData("1234.5", NumberFormat.DotThousands)]
    [InlineData("1,", NumberFormat.DotThousands)]
    [InlineData("1.5", NumberFormat.SpaceThousands)]
    [InlineData("1 23", NumberFormat.SpaceThousands)]
    [InlineData("4,268", NumberFormat.Plain)]
    public void Separators_in_the_wrong_places_are_not_numbers(string text, NumberFormat format) =>
        Assert.False(Values.TryParseNumber(text, format, out _));

    [Fact]
    public void Plain_integers_read_the_same_in_every_format()
    {
        foreach (var format in Enum.GetValues<NumberFormat>())
            foreach (var text in new[] { "0", "-17", "+4", "999999999999999", "123456789012345678" })
            {
                Assert.True(Values.TryParseNumber(text, format, out var x), $"{text} in {format}");
                Assert.Equal(double.Parse(text, CultureInfo.InvariantCulture), x);
            }
    }

    /// <summary>A number written as a person in that country writes it: thousands grouped, the decimal mark of the format.</summary>
    private static string Write(decimal value, int decimals, NumberFormat format)
    {
        var plain = Math.Round(Math.Abs(value), decimals).ToString("F" + decimals, CultureInfo.InvariantCulture);
        var point = plain.IndexOf('.');
        var integer = point < 0 ? plain : plain[..point];
        var fraction = point < 0 ? "" : plain[(point + 1)..];
        var (thousands, mark) = format switch
        {
            NumberFormat.CommaThousands => (",", "."),
            NumberFormat.DotThousands => (".", ","),
            NumberFormat.SpaceThousands => ("\u00A0", ","),
            _ => ("", "."),
        };
        var grouped = string.Join(thousands, Enumerable.Range(0, (integer.Length + 2) / 3).Reverse()
            .Select(g => integer[Math.Max(0, integer.Length - 3 * (g + 1))..(integer.Length - 3 * g)]));
        return (value < 0 && Math.Round(Math.Abs(value), decimals) != 0 ? "-" : "") + grouped + (fraction.Length > 0 ? mark + fraction : "");
    }

    private static Arbitrary<(decimal Value, int Decimals, NumberFormat Format)> Written() =>
        (from whole in Gen.Choose(-2_000_000_000, 2_000_000_000)
         from cents in Gen.Choose(0, 999)
         from decimals in Gen.Choose(0, 3)
         from format in Gen.Elements(Enum.GetValues<NumberFormat>())
         select (whole + cents / 1000m, decimals, format)).ToArbitrary();

    [Fact]
    public void Every_number_written_in_a_format_reads_back_as_itself()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), Prop.ForAll(Written(), w =>
        {
            var text = Write(w.Value, w.Decimals, w.Format);
            var expected = double.Parse(Math.Round(w.Value, w.Decimals).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            Assert.True(Values.TryParseNumber(text, w.Format, out var actual), $"'{text}' in {w.Format}");
            Assert.Equal(expected, actual);
        }));
    }

    [Fact]
    public void Detection_never_guesses_a_format_that_reads_a_value_differently()
    {
        var columns = (from format in Gen.Elements(Enum.GetValues<NumberFormat>())
                       from count in Gen.Choose(1, 30)
                       from numbers in Gen.ArrayOf(Gen.Choose(0, 50_000_000).Select(n => n / 100m), count)
                       from decimals in Gen.Choose(0, 2)
                       select (format, numbers, decimals)).ToArbitrary();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1000), Prop.ForAll(columns, c =>
        {
            var texts = c.numbers.Select(n => Write(n, c.decimals, c.format)).ToArray();
            var detector = new NumberFormats.Detector();
            foreach (var t in texts) detector.Add(t);
            Assert.True(detector.AllNumbers);
            if (detector.Format is not { } found) { Assert.True(detector.Ambiguous); return; }
            for (var i = 0; i < texts.Length; i++)
            {
                Assert.True(Values.TryParseNumber(texts[i], found, out var read));
                Assert.Equal((double)Math.Round(c.numbers[i], c.decimals), read);
            }
        }));
    }

    [Theory]
    [InlineData(NumberFormat.CommaThousands, "4,268", "871,606,000", "12")]
    [InlineData(NumberFormat.CommaThousands, "1,234.5", "17")]
    [InlineData(NumberFormat.DotThousands, "12.521.000,0", "3,5")]
    [InlineData(NumberFormat.DotThousands, "3,5", "4")]
    [InlineData(NumberFormat.SpaceThousands, "1 234,5", "12")]
    [InlineData(NumberFormat.Plain, "1.234", "2.5")]
    [InlineData(NumberFormat.Plain, "0.125", "0.5")]
    [InlineData(NumberFormat.Plain, "1", "2", "-3.25", "1e3")]
    public void A_column_is_read_in_the_one_format_all_its_values_fit(NumberFormat expected, params string[] values)
    {
        var detector = new NumberFormats.Detector();
        foreach (var v in values) detector.Add(v);
        Assert.Equal(expected, detector.Format);
    }

    [Fact]
    public void A_column_of_one_separator_and_three_digits_is_ambiguous_and_not_guessed()
    {
        var detector = new NumberFormats.Detector();
        foreach (var v in new[] { "1,234", "2,500", "17" }) detector.Add(v);
        Assert.True(detector.Ambiguous);
        Assert.Null(detector.Format);
        Assert.Equal("1,234", detector.AmbiguousExample);
    }

    [Fact]
    public void A_column_of_three_decimals_is_ambiguous_too_but_either_family_can_settle_it()
    {
        var detector = new NumberFormats.Detector();
        foreach (var v in new[] { "93.994", "93.918", "94.465" }) detector.Add(v);
        Assert.True(detector.Ambiguous);
        Assert.Null(detector.Format);
        Assert.Equal(NumberFormat.Plain, detector.FormatIn(decimalPoint: true));
        Assert.Equal(NumberFormat.DotThousands, detector.FormatIn(decimalPoint: false));
    }

    [Fact]
    public void A_configured_format_settles_an_ambiguous_column()
    {
        var detector = new NumberFormats.Detector(NumberFormat.DotThousands);
        foreach (var v in new[] { "1,234", "2,500" }) detector.Add(v);
        Assert.Equal(NumberFormat.DotThousands, detector.Format);
        Assert.False(detector.Ambiguous);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("auto", null)]
    [InlineData("plain", NumberFormat.Plain)]
    [InlineData("1,234.5", NumberFormat.CommaThousands)]
    [InlineData("1.234,5", NumberFormat.DotThousands)]
    [InlineData("1 234,5", NumberFormat.SpaceThousands)]
    public void The_setting_names_each_format_by_an_example(string? setting, NumberFormat? expected)
    {
        Assert.True(NumberFormats.TryParseSetting(setting, out var format));
        Assert.Equal(expected, format);
        if (expected is { } f) Assert.Equal(setting, NumberFormats.SettingOf(f));
    }
}
