namespace LeadPredict.Core.Tests.Csv;

/// <summary>CSV inputs that have tripped readers up: every reader of the project must read them as the reference does.</summary>
public static class CsvEdgeCases
{
    public static TheoryData<string> All => new()
    {
        "a,b\n1,2\n3,4",
        "a,b\r\n1,2\r\n\r\n3,4\r\n",
        "a;b\n\"x;y\";\"he said \"\"hi\"\"\"\n",
        "a,b\n\"multi\nline\",2\n3,4\n",
        "a,b\n\"multi\r\nline\r\",2\nx,\"open\n",
        "a,b\n1,2,3\n",
        "a,b\n\"ab\"cd,e\"f\n",
        "\uFEFFa,a\n1,2\n",
        "\"a\nb\",c\n1,2\n",
        "a,b\r1,2\r3,4\r",
        "a_long_header_name,another_long_header_name\n1,2\n",
    };
}
