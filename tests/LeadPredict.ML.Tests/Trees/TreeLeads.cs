using LeadPredict.TestSupport;

namespace LeadPredict.ML.Tests.Trees;

/// <summary>
/// The sample model and leads for the tree tests: real leads' features, then perturbed copies that reach leaves real leads
/// rarely do, with missing values (NaN, which goes right) and values equal to a split's threshold (which go left).
/// </summary>
internal static class TreeLeads
{
    private static readonly Lazy<(ModelBundle Bundle, float[][] Leads)> Sample = new(() =>
    {
        var bundle = SampleModels.LoadSample();
        var random = new Random(5);
        var real = SampleModels.SampleFeatures(bundle, 400);
        var thresholds = bundle.Ensemble!.Trees.SelectMany(t => t.Threshold).ToArray();
        var perturbed = real.Select(f => f.Select(v => random.Next(10) switch
        {
            0 => float.NaN,
            1 => v * (float)(random.NextDouble() * 4),
            2 => -v,
            3 => thresholds[random.Next(thresholds.Length)],
            _ => v,
        }).ToArray());
        return (bundle, real.Concat(perturbed).ToArray());
    });

    public static ModelBundle Bundle => Sample.Value.Bundle;
    public static CompiledEnsemble Ensemble => Sample.Value.Bundle.Ensemble!;
    public static float[][] Leads => Sample.Value.Leads;
    public static int Width => Leads[0].Length;
}
