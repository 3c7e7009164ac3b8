package io.hypha.api.engine;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Stamps the {@link Engine#NAME} service property on a Declarative Services component:
 * {@code @EngineName("echo")} registers the engine as {@code echo}.
 */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface EngineName {
    /** Prefix that turns the annotation name {@code engine.name} into {@link Engine#NAME}. */
    String PREFIX_ = "hypha.";

    /** @return the engine name */
    String value();
}
