package dev.backlight.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/** The columns {@link BacklightExplainer} appends, in order; {@code error} is always last. */
final class OutputColumns {
    private OutputColumns() {
    }

    /** The appended columns for these settings. */
    static List<StructField> added(boolean returnMap, int topK) {
        List<StructField> fields = new ArrayList<>();
        fields.add(DataTypes.createStructField(BacklightExplainer.PREDICTED_CLASS, DataTypes.IntegerType, true));
        fields.add(DataTypes.createStructField(BacklightExplainer.PREDICTED_LABEL, DataTypes.StringType, true));
        fields.add(DataTypes.createStructField(BacklightExplainer.PROBABILITY, DataTypes.DoubleType, true));
        fields.add(DataTypes.createStructField(BacklightExplainer.MAP_PATH, DataTypes.StringType, true));
        if (returnMap) {
            fields.add(DataTypes.createStructField(BacklightExplainer.MAP,
                    DataTypes.createArrayType(DataTypes.FloatType, false), true));
        }
        if (topK > 1) {
            fields.add(DataTypes.createStructField(BacklightExplainer.TOP_CLASSES,
                    DataTypes.createArrayType(DataTypes.IntegerType, false), true));
            fields.add(DataTypes.createStructField(BacklightExplainer.TOP_LABELS,
                    DataTypes.createArrayType(DataTypes.StringType, false), true));
            fields.add(DataTypes.createStructField(BacklightExplainer.TOP_PROBABILITIES,
                    DataTypes.createArrayType(DataTypes.DoubleType, false), true));
            fields.add(DataTypes.createStructField(BacklightExplainer.MAP_PATHS,
                    DataTypes.createArrayType(DataTypes.StringType, false), true));
        }
        fields.add(DataTypes.createStructField(BacklightExplainer.ERROR, DataTypes.StringType, true));
        return fields;
    }
}
