using LeadPredict.ML.Training;
using LeadPredict.Core;
using LeadPredict.TestSupport;

namespace LeadPredict.ML.Tests.Explaining;

/// <summary>A model of every kind LeadPredict saves, trained once on the sample, for the tests that must hold for each.</summary>
public static class ModelKinds
{
    public static readonly TheoryData<string> Names = new("trees (LightGBM)", "trees (FastTree)", "linear", "blend", "blend, Platt-calibrated");

    public static ModelBundle Load(string name) => name switch
    {
        "trees (LightGBM)" => SampleModels.LoadKind(TrainerAlgorithm.LightGbm),
        "trees (FastTree)" => SampleModels.LoadKind(TrainerAlgorithm.FastTree),
        "linear" => SampleModels.LoadKind(TrainerAlgorithm.Linear),
        "blend" => SampleModels.LoadKind(TrainerAlgorithm.Blend),
        "blend, Platt-calibrated" => WithMix(SampleModels.LoadKind(TrainerAlgorithm.Blend), m => m with { CalibrationSlope = 0.8, CalibrationOffset = -0.3 }),
        _ => throw new ArgumentException(name),
    };

    /// <summary>The same model with another mix (not saved, so its training-time probes are not re-checked).</summary>
    public static ModelBundle WithMix(ModelBundle b, Func<ModelMix, ModelMix> change) => b with { Mix = change(b.Mix) };
}
