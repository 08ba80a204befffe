package io.shoal.persistence.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KeyspaceNameTest {

    @Test
    void aLongNestedClassNameIsSanitizedAndCutToCassandrasLimit() {
        String name = CassandraExtension.keyspaceName(
                AVeryLongNestedTestClassNameThatGoesOnAndOnPastTheLimit.class);

        assertEquals(48, name.length(), name);
        assertTrue(name.matches("keyspacenametest_averylongnestedtestclass_[0-9a-f]{6}"), name);
    }

    @Test
    void eachRunOfAClassGetsAKeyspaceOfItsOwn() {
        assertNotEquals(CassandraExtension.keyspaceName(KeyspaceNameTest.class),
                CassandraExtension.keyspaceName(KeyspaceNameTest.class));
    }

    private static final class AVeryLongNestedTestClassNameThatGoesOnAndOnPastTheLimit {}
}
