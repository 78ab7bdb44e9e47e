import { Anchor, Button, Card, FileButton, Group, Image, SimpleGrid, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { call, errorText, send } from '../../api/client';
import { type AppealCard } from '../../api/types';
import { ClipIcon } from '../../components/icons';
import { save } from '../../lib/download';

/** The appeal's attachments: images previewed, every stored file downloadable, rejected ones explained. */
export function Attachments({
  appealId,
  attachments,
}: {
  appealId: string;
  attachments: AppealCard['attachments'];
}) {
  return (
    <SimpleGrid cols={{ base: 2, sm: 3 }} spacing="xs">
      {attachments.map((f) => (
        <AttachmentTile key={f.id} appealId={appealId} file={f} />
      ))}
    </SimpleGrid>
  );
}

function AttachmentTile({ appealId, file }: { appealId: string; file: AppealCard['attachments'][number] }) {
  const [url, setUrl] = useState<string | null>(null);
  const image = file.status === 'stored' && file.contentType.startsWith('image/');
  useEffect(() => {
    if (!image) return;
    let objectUrl: string | null = null;
    send('attachment', { params: { id: appealId, attachmentId: file.id } })
      .then((r) => r.blob())
      .then((b) => {
        objectUrl = URL.createObjectURL(b);
        setUrl(objectUrl);
      })
      .catch(() => setUrl(null));
    return () => {
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [appealId, file.id, image]);

  async function download() {
    const res = await send('attachment', { params: { id: appealId, attachmentId: file.id } });
    save(await res.blob(), file.fileName);
  }

  return (
    <Card withBorder padding={6} radius="sm">
      {image && url ? (
        <Image src={url} alt={`Вложение: ${file.fileName}`} h={110} fit="cover" radius="sm" />
      ) : (
        <Group h={110} justify="center" bg="gray.0" style={{ borderRadius: 4 }}>
          <ClipIcon />
        </Group>
      )}
      <Text size="xs" mt={4} lineClamp={1} title={file.fileName}>
        {file.fileName}
      </Text>
      {file.status === 'stored' ? (
        <Anchor size="xs" component="button" type="button" onClick={download}>
          Скачать ({Math.max(1, Math.round(file.size / 1024))} КБ)
        </Anchor>
      ) : (
        <Text size="xs" c="red.9">
          Не принято: {file.rejectionReason ?? 'файл отклонён'}
        </Text>
      )}
    </Card>
  );
}

/** The types the api takes for an appeal's file: the picker offers only these. */
const ACCEPT = '.pdf,.doc,.docx,.odt,.rtf,.txt,.jpg,.jpeg,.png';

/**
 * A file added to the appeal on its card (a scanned letter that came later, a document from a reception): one
 * request per file, a refused one named beside the button, the card read again.
 */
export function AttachToAppeal({ appealId }: { appealId: string }) {
  const queryClient = useQueryClient();
  const [uploading, setUploading] = useState(false);
  const [errors, setErrors] = useState<string[]>([]);

  async function attach(files: File[]) {
    if (!files.length) return;
    setUploading(true);
    const failed: string[] = [];
    for (const file of files) {
      const form = new FormData();
      form.append('file', file);
      try {
        await call('attachToAppeal', { params: { id: appealId }, form });
      } catch (error) {
        failed.push(`«${file.name}»: ${errorText(error)}`);
      }
    }
    setErrors(failed);
    setUploading(false);
    await queryClient.invalidateQueries({ queryKey: ['appeal', appealId] });
  }

  return (
    <Stack gap={4} mt="xs">
      <Group gap="xs">
        <FileButton multiple accept={ACCEPT} onChange={(files) => void attach(files)}>
          {(props) => (
            <Button
              {...props}
              size="compact-sm"
              variant="default"
              leftSection={<ClipIcon />}
              loading={uploading}
            >
              Приложить файл к обращению
            </Button>
          )}
        </FileButton>
      </Group>
      {errors.map((e) => (
        <Text key={e} size="xs" c="red.9" role="alert">
          {e}
        </Text>
      ))}
    </Stack>
  );
}
