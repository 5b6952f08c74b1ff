using LeadPredict.Core;

namespace LeadPredict.ML.Tests;

public sealed class LeadFeaturizerTests
{
    [Fact]
    public void Should_Tell_A_Chief_Executive_From_An_Intern_When_Department_Words_Outnumber_The_Seniority_Words()
    {
        // Job titles as CRMs hold them: many department and role words, each more frequent than the few words that say
        // how senior the lead is. A vocabulary of the 40 most frequent words kept only the former, so "CEO" and "Intern"
        // read as the same (no known word) and the trees could not tell them apart.
        var departments = new[] { "Sales", "Marketing", "Finance", "Operations", "Engineering", "Procurement", "Data", "Legal", "Support", "Product" };
        var roles = Enumerable.Range(0, 60).Select(i => $"Role{i:00}").ToArray();
        var titles = new string?[20_000];
        for (var i = 0; i < titles.Length; i++)
            titles[i] = (i % 100) switch
            {
                0 => "CEO",
                1 => "Intern",
                _ => $"{departments[i % departments.Length]} {roles[i / 7 % roles.Length]}",
            };
        var table = new LeadTable("titles.csv", ',', ["job_title"], [titles], Enumerable.Range(2, titles.Length).Select(l => (long)l).ToArray());
        var schema = new DatasetSchema
        {
            Label = "converted", PositiveLabel = "yes", Separator = ',', MissingTokens = [],
            Features = [new FeatureColumn("job_title", ColumnKind.Text)],
        };

        var featurizer = LeadFeaturizer.Fit(table, schema, Enumerable.Range(0, titles.Length).ToArray());

        var ceo = new float[featurizer.Length];
        var intern = new float[featurizer.Length];
        featurizer.Featurize(["CEO"], ceo);
        featurizer.Featurize(["Intern"], intern);
        Assert.NotEqual(ceo, intern);
        Assert.Contains(featurizer.Slots, s => s.Name == "job_title has 'ceo'");
        Assert.Contains(featurizer.Slots, s => s.Name == "job_title has 'intern'");
    }
}
