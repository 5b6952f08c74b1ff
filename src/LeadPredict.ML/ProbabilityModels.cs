using LeadPredict.Core;
using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;

namespace LeadPredict.ML;

/// <summary>Turns a featurized lead into a conversion probability; thread-safe.</summary>
public interface IProbabilityModel
{
    double Probability(ReadOnlySpan<float> features);
    /// <summary>Whether the model can split a score into contributions (see <see cref="PackedForest"/>).</summary>
    bool CanExplain { get; }
}

/// <summary>The compiled model (trees, linear or both, mixed and calibrated): fast, allocation-free, explainable.</summary>
internal sealed class CompiledProbabilityModel(CompiledModel model) : IProbabilityModel
{
    public double Probability(ReadOnlySpan<float> features) => model.ScoreOne(features);
    public bool CanExplain => true;
}

/// <summary>
/// ML.NET's PredictionEngine for tree models that cannot be compiled (none LeadPredict trains today). PredictionEngine is not thread-safe,
/// so engines are pooled (Microsoft.Extensions.ML's PredictionEnginePool is not available here).
/// </summary>
public sealed class EngineModel : IProbabilityModel
{
    private readonly ObjectPool<PredictionEngine<FeatureRow, ScoreRow>> _pool;

    public EngineModel(MLContext ml, ITransformer model, int width)
    {
        var schema = LeadPipeline.InputSchema(width);
        _pool = new DefaultObjectPool<PredictionEngine<FeatureRow, ScoreRow>>(
            new EnginePolicy(() => ml.Model.CreatePredictionEngine<FeatureRow, ScoreRow>(model, inputSchemaDefinition: schema)),
            Environment.ProcessorCount * 2);
    }

    public double Probability(ReadOnlySpan<float> features)
    {
        var engine = _pool.Get();
        try { return engine.Predict(new FeatureRow { Features = features.ToArray() }).Probability; }
        finally { _pool.Return(engine); }
    }

    public bool CanExplain => false;

    private sealed class EnginePolicy(Func<PredictionEngine<FeatureRow, ScoreRow>> create) : PooledObjectPolicy<PredictionEngine<FeatureRow, ScoreRow>>
    {
        public override PredictionEngine<FeatureRow, ScoreRow> Create() => create();
        public override bool Return(PredictionEngine<FeatureRow, ScoreRow> obj) => true;
    }
}

public static class ProbabilityModels
{
    /// <summary>The compiled model when the bundle has its parts, otherwise pooled ML.NET prediction engines.</summary>
    public static IProbabilityModel For(ModelBundle bundle, MLContext ml) =>
        bundle.Ensemble is not null || bundle.Mix.Kind == ModelKind.Linear ? new CompiledProbabilityModel(bundle.Compile())
        : new EngineModel(ml, bundle.Model ?? throw new InvalidOperationException("the model has neither compiled parts nor an ML.NET model"), bundle.Featurizer.Length);

    public static double[] ScoreAll(this IProbabilityModel model, IReadOnlyList<float[]> features)
    {
        var result = new double[features.Count];
        Parallel.For(0, features.Count, i => result[i] = model.Probability(features[i]));
        return result;
    }
}
