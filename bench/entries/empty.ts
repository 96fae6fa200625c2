/** The baseline every init figure is measured over: a handler that does nothing. */
export const handler = async () => ({ statusCode: 200, body: '' });
