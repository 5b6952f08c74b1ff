using LeadPredict.Scoring.Host;

namespace LeadPredict.Scoring.Tests.Host;

public sealed class HeaderTextTests
{
    [Theory]
    [InlineData("1 feature column(s) are missing from upload.csv and were scored as missing for every lead: Größe.")]
    [InlineData("employees: 1 value(s) were not numbers (e.g. '50–100') and were scored as missing.")]
    [InlineData("40% of 深圳 leads\r\nhad no 😀 value")]
    public void Should_keep_only_visible_ascii_and_decode_to_the_same_text_When_a_warning_has_non_ascii_text(string warning)
    {
        var header = HeaderText.Encode(warning);

        Assert.All(header, c => Assert.InRange(c, ' ', '~'));
        Assert.Equal(warning, Uri.UnescapeDataString(header));
    }

    [Fact]
    public void Should_leave_ascii_text_readable_When_it_has_no_percent_sign() =>
        Assert.Equal("3 feature column(s) are missing: budget, stage.", HeaderText.Encode("3 feature column(s) are missing: budget, stage."));

    [Fact]
    public void Should_cut_whole_characters_and_end_with_an_ellipsis_When_the_text_is_longer_than_the_limit()
    {
        var header = HeaderText.Encode(string.Concat(Enumerable.Repeat("Größe ", 2000)), maxLength: 100);

        Assert.True(header.Length <= 100, header);
        Assert.EndsWith("…", Uri.UnescapeDataString(header));
        Assert.StartsWith("Größe Größe", Uri.UnescapeDataString(header));
    }
}
