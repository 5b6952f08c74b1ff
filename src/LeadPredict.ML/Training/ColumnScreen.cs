using LeadPredict.Core;

namespace LeadPredict.ML.Training;

/// <summary>
/// Wide exports (more than <see cref="MaxColumns"/> feature columns) are narrowed before each fit: the
/// <see cref="MaxColumns"/> columns whose values alone rank the fit's own training rows best (<see cref="LeakGuard.SingleColumnAuc"/>,
/// either direction) are kept, the others are left out of that fit. Every fit screens its own rows (each cross-validation
/// fold, the holdout model, the refit), so no figure has seen the rows it is measured on. Without it, the model choice over
/// 20,000 columns (40,000 slots) did not finish in 25 minutes; a column whose signal shows only together with another's is
/// what the screen can miss, which is why narrower files are never screened.
/// </summary>
public static class ColumnScreen
{
    public const int MaxColumns = 1_000;

    /// <summary>The schema a fit on <paramref name="rows"/> uses: <paramref name="schema"/> itself when it is narrow enough.</summary>
    public static DatasetSchema For(LeadTable table, DatasetSchema schema, int[] rows, bool[] labels, int seed)
    {
        if (schema.Features.Count <= MaxColumns) return schema;
        var auc = new double[schema.Features.Count];
        Parallel.For(0, auc.Length, c =>
        {
            var f = schema.Features[c];
            auc[c] = LeakGuard.SingleColumnAuc(table.Column(f.Name), f.Kind, labels, rows, seed, f.Number);
        });
        var keep = Enumerable.Range(0, auc.Length).OrderByDescending(c => auc[c]).ThenBy(c => c).Take(MaxColumns).Order().ToArray();
        return schema with { Features = keep.Select(c => schema.Features[c]).ToArray() };
    }

    /// <summary>The rule in words, for the training output.</summary>
    public static string Describe(int columns) =>
        $"{columns:N0} feature columns is more than {MaxColumns:N0}: each fit keeps the {MaxColumns:N0} columns whose values alone best rank its own training rows (single-column AUC)";
}
