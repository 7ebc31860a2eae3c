package dev.backlight.spark;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import org.apache.hadoop.conf.Configuration;

/**
 * The application's Hadoop configuration, sent to executors so that they reach the same file
 * systems (HDFS, S3, ...) with the same settings as the driver. Hadoop's {@link Configuration} is
 * {@code Writable} but not {@code Serializable}; this carries it through Java serialization.
 */
final class HadoopConf implements Serializable {
    private static final long serialVersionUID = 1L;

    private transient Configuration conf;

    HadoopConf(Configuration conf) {
        this.conf = new Configuration(conf);
    }

    /** The configuration; callers must not change it. */
    Configuration get() {
        return conf;
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
        out.defaultWriteObject();
        conf.write(out);
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        conf = new Configuration(false);
        conf.readFields(in);
    }
}
