using System.Text.Json;
using LeadPredict.Core;
using LeadPredict.ML;
using LeadPredict.SampleData;
using LeadPredict.TestSupport;

namespace LeadPredict.ML.Tests.Explaining;

/// <summary>Global importance: permutation importance per original column on the holdout, kept in the report and its JSON.</summary>
public sealed class PermutationImportanceTests
{
    private static TrainingReport Report => SampleModels.SampleOutcome.Report;

    [Fact]
    public void The_three_most_important_columns_are_among_the_four_the_generator_makes_most_influential()
    {
        var top3 = Report.Importance.Take(3).Select(i => i.Column).ToArray();
        var generatorTop4 = SampleSchema.MostInfluentialColumns.Take(4).ToArray();

        Assert.Equal(3, top3.Length);
        Assert.All(top3, column => Assert.Contains(column, generatorTop4));
    }

    [Fact]
    public void Demo_requests_and_pricing_page_views_clearly_lower_the_AUC_when_shuffled()
    {
        var byColumn = Report.Importance.ToDictionary(i => i.Column);

        foreach (var column in new[] { SampleSchema.DemoRequested, SampleSchema.PricingPageViews })
            Assert.True(byColumn[column].AucDrop > 3 * byColumn[column].StdDev && byColumn[column].AucDrop > 0.01,
                $"{column}: AUC drop {byColumn[column].AucDrop:F4} ± {byColumn[column].StdDev:F4}");
    }

    [Fact]
    public void Every_feature_column_appears_once_by_its_original_name_most_important_first_with_a_spread()
    {
        var bundle = SampleModels.LoadSample();
        var columns = bundle.Featurizer.Columns.Select(c => c.Name).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(columns, Report.Importance.Select(i => i.Column).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(Report.Importance.OrderByDescending(i => i.AucDrop).Select(i => i.Column), Report.Importance.Select(i => i.Column));
        Assert.All(Report.Importance, i => Assert.True(double.IsFinite(i.AucDrop) && i.StdDev >= 0, $"{i.Column}: {i.AucDrop} ± {i.StdDev}"));
        // Several shuffles per column: the important columns show a non-zero spread.
        Assert.All(Report.Importance.Take(3), i => Assert.True(i.StdDev > 0, $"{i.Column} has no spread over its shuffles"));
    }

    [Fact]
    public void The_importance_is_in_the_metrics_JSON_beside_the_model_and_in_the_model_file()
    {
        var outcome = SampleModels.SampleOutcome;
        using var json = JsonDocument.Parse(File.ReadAllText(outcome.ReportPath));
        var saved = json.RootElement.GetProperty("importance").EnumerateArray().ToArray();

        Assert.Equal(Report.Importance.Count, saved.Length);
        Assert.Equal(Report.Importance[0].Column, saved[0].GetProperty("column").GetString());
        Assert.Equal(Report.Importance[0].AucDrop, saved[0].GetProperty("aucDrop").GetDouble(), 12);
        Assert.Equal(Report.Importance[0].StdDev, saved[0].GetProperty("stdDev").GetDouble(), 12);
        Assert.Equal(Report.Importance, SampleModels.LoadSample().Report.Importance);
    }
}
