/** A Discord id (snowflake): 17 to 20 digits. */
export const SNOWFLAKE = /^\d{17,20}$/;
